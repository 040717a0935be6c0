package dev.evaluator.engine;

import dev.evaluator.store.Namespace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoleTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "admin|admin",
            "ro_admin|ro_admin",
            " query_manage_global_external_functions |query_manage_global_external_functions",
            "query_manage_external_functions[travel-sample:inventory]|query_manage_external_functions[travel-sample:inventory]",
            "query_manage_external_functions[travel-sample]|query_manage_external_functions[travel-sample:*]",
            "query_execute_external_functions[*]|query_execute_external_functions[*:*]",
            "query_execute_external_functions[b:_default]|query_execute_external_functions[b:_default]"})
    void parse_valid_canonicalText(String text, String canonical) {
        assertEquals(canonical, Role.parse(text).text());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "root|unknown role",
            "admin[b:s]|takes no [bucket:scope]",
            "query_manage_external_functions|needs [bucket:scope]",
            "query_manage_external_functions[*:s]|a scope needs a bucket",
            "query_manage_external_functions[_b:s]|bucket name",
            "query_manage_external_functions[b:s:t]|expected a role name",
            "query_manage_external_functions[b:s|expected a role name"})
    void parse_invalid_messageNamesRoleAndProblem(String text, String problem) {
        EngineException e = assertThrows(EngineException.class, () -> Role.parse(text));
        assertEquals(EngineException.Kind.INVALID_ROLE, e.kind());
        assertEquals(text.strip(), e.field());
        assertTrue(e.getMessage().contains(text.strip()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void covers_wildcards() {
        Namespace inventory = Namespace.scoped("travel-sample", "inventory");
        assertTrue(Role.parse("query_manage_external_functions[*]").covers(inventory));
        assertTrue(Role.parse("query_manage_external_functions[travel-sample]").covers(inventory));
        assertTrue(Role.parse("query_manage_external_functions[travel-sample:inventory]").covers(inventory));
        assertFalse(Role.parse("query_manage_external_functions[travel-sample:tenants]").covers(inventory));
        assertFalse(Role.parse("query_manage_external_functions[beer-sample]").covers(inventory));
        assertFalse(Role.parse("query_manage_external_functions[*]").covers(Namespace.GLOBAL));
    }
}
