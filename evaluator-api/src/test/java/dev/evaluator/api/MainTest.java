package dev.evaluator.api;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MainTest {
    private static final String LIBS = EvaluatorServer.LIBRARIES_PATH;

    private static ServerSettings settings(String host) {
        return ServerSettings.parse(new String[] {"--host", host}, Map.of());
    }

    @Test
    void listening_plainOnly_httpUrl() {
        assertEquals("listening on http://127.0.0.1:8093" + LIBS, Main.listening("127.0.0.1", 8093, -1));
    }

    @Test
    void listening_both_httpFirstSoScriptsStillFindThePort() {
        assertEquals("listening on http://127.0.0.1:8093" + LIBS + " and https://127.0.0.1:18093" + LIBS,
                Main.listening("127.0.0.1", 8093, 18093));
    }

    @Test
    void listening_httpsOnly_httpsUrl() {
        assertEquals("listening on https://0.0.0.0:18093" + LIBS, Main.listening("0.0.0.0", -1, 18093));
    }

    @Test
    void listening_ipv6Host_bracketed() {
        assertEquals("listening on http://[::1]:8093" + LIBS, Main.listening("::1", 8093, -1));
    }

    @Test
    void clearTextWarning_loopback_none() {
        assertEquals(Optional.empty(), Main.clearTextWarning(settings("127.0.0.1"), 8093, -1));
        assertEquals(Optional.empty(), Main.clearTextWarning(settings("localhost"), 8093, 18093));
    }

    @Test
    void clearTextWarning_allInterfacesWithoutTls_credentialsInClear() {
        assertEquals(Optional.of("WARNING: plain HTTP on 0.0.0.0:8093 without TLS: Basic credentials (user names and"
                        + " passwords) and library code travel in clear text. Serve HTTPS with --tls-cert and --tls-key,"
                        + " or --tls-keystore."),
                Main.clearTextWarning(settings("0.0.0.0"), 8093, -1));
    }

    @Test
    void clearTextWarning_tlsWithPlainPortOpen_namesThePlainPort() {
        assertEquals(Optional.of("WARNING: the plain HTTP port 10.0.0.5:8093 is clear text: Basic credentials sent to"
                        + " it can be read on the network. Clients should use https://10.0.0.5:18093" + LIBS
                        + "; --disable-http turns the plain port off."),
                Main.clearTextWarning(settings("10.0.0.5"), 8093, 18093));
    }

    @Test
    void clearTextWarning_httpsOnly_none() {
        assertEquals(Optional.empty(), Main.clearTextWarning(settings("0.0.0.0"), -1, 18093));
    }
}
