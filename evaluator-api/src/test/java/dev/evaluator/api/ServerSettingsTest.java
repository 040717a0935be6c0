package dev.evaluator.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerSettingsTest {
    @Test
    void parse_nothing_defaults() {
        ServerSettings settings = ServerSettings.parse(new String[0], Map.of());
        assertEquals("127.0.0.1", settings.host());
        assertEquals(8093, settings.port());
        assertEquals(Path.of("data"), settings.dataDir());
        assertEquals(1024 * 1024, settings.maxLibraryBytes());
        assertEquals("Administrator", settings.adminUser());
        assertEquals(Optional.empty(), settings.adminPassword());
    }

    @Test
    void parse_environment_used() {
        ServerSettings settings = ServerSettings.parse(new String[0], Map.of(
                "EVALUATOR_HOST", "0.0.0.0", "EVALUATOR_PORT", "9000", "EVALUATOR_DATA_DIR", "/tmp/x",
                "EVALUATOR_MAX_LIBRARY_BYTES", "2048", "EVALUATOR_ADMIN_USER", "root",
                "EVALUATOR_ADMIN_PASSWORD", "pw-123456"));
        assertEquals("0.0.0.0", settings.host());
        assertEquals(9000, settings.port());
        assertEquals(Path.of("/tmp/x"), settings.dataDir());
        assertEquals(2048, settings.maxLibraryBytes());
        assertEquals("root", settings.adminUser());
        assertEquals(Optional.of("pw-123456"), settings.adminPassword());
    }

    @Test
    void parse_flagAndEnvironment_flagWins() {
        ServerSettings settings = ServerSettings.parse(
                new String[] {"--port", "7000", "--data-dir=/srv/data", "--host", "::1"},
                Map.of("EVALUATOR_PORT", "9000", "EVALUATOR_DATA_DIR", "/tmp/x", "EVALUATOR_HOST", "0.0.0.0"));
        assertEquals(7000, settings.port());
        assertEquals(Path.of("/srv/data"), settings.dataDir());
        assertEquals("::1", settings.host());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--port|70000|--port (or EVALUATOR_PORT) must be an integer from 0 to 65535, not '70000'",
            "--port|http|--port (or EVALUATOR_PORT) must be an integer from 0 to 65535, not 'http'",
            "--max-library-bytes|0|--max-library-bytes (or EVALUATOR_MAX_LIBRARY_BYTES) must be an integer from 1",
            "--colour|blue|Unknown flag --colour",
            "stray|x|Unexpected argument 'stray'"})
    void parse_badFlag_messageNamesIt(String flag, String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.parse(new String[] {flag, value}, Map.of()));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void parse_flagWithoutValue_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.parse(new String[] {"--port"}, Map.of()));
        assertEquals("Flag --port needs a value", e.getMessage());
    }

    @Test
    void toString_neverShowsThePassword() {
        ServerSettings settings = ServerSettings.parse(new String[0], Map.of("EVALUATOR_ADMIN_PASSWORD", "hunter2-x"));
        assertFalse(settings.toString().contains("hunter2-x"));
    }
}
