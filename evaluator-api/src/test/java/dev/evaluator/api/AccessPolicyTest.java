package dev.evaluator.api;

import java.util.ArrayList;
import java.util.List;

import io.helidon.common.uri.UriPath;
import io.helidon.http.PathMatchers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access policy's own path matching decides which permission a request needs, so it must agree with the web
 * server's routing (Helidon's path patterns) on every path: a rule that matched less would leave a route unguarded
 * by its permission, one that matched more would guard the wrong route.
 */
class AccessPolicyTest {
    @Test
    void everyRule_agreesWithHelidonsPatterns_onPathsAroundIt() {
        List<String> paths = new ArrayList<>(List.of("/", "/ui", "/ui/", "/uix", "/ui/index.html", "/ui/a/b.js",
                "/evaluator", "/evaluator/v1/libraries", "/evaluator/v1/librariesx", "/evaluator/v1/libraries/a",
                "/evaluator/v1/libraries//functions", "/evaluator/v1/libraries/a/functions/f/invoke",
                "/evaluator/v1/libraries/a/functions/f/invoke/x", "/evaluator/v1/libraries/a/functions//invoke",
                "//evaluator/v1//libraries/a/", "/ui//a",
                "/evaluator/v1/libraries/a/versions/1/diff/2", "/evaluator/v1/libraries/%25/versions/1",
                "/query/service", "/query/servicex", "/whoami/x", "/health/ready", "/metrics", "/openapi"));
        for (AccessPolicy.Rule rule : AccessPolicy.RULES) {
            // The rule's own path, with each parameter given a value, and the same with a segment more and less.
            String concrete = rule.path().replace("/*", "/x").replaceAll("\\{[^/]+}", "p");
            paths.add(concrete);
            paths.add(concrete + "/extra");
            paths.add(concrete.substring(0, concrete.lastIndexOf('/')));
        }
        int accepted = 0;
        for (AccessPolicy.Rule rule : AccessPolicy.RULES) {
            for (String path : paths) {
                // The policy drops a trailing slash (both forms of a route need the same permission) and, as
                // Helidon's patterns do, empty segments.
                String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1)
                        : path;
                String normalized = AccessPolicy.normalize(path);
                boolean helidon = PathMatchers.create(rule.path()).match(UriPath.createFromDecoded(trimmed))
                        .accepted();
                assertEquals(helidon, rule.matches(normalized), rule.path() + " on " + normalized);
                accepted += helidon ? 1 : 0;
            }
        }
        assertTrue(accepted >= AccessPolicy.RULES.size(), "each rule matched its own path: " + accepted);
    }

    @Test
    void parameter_isOneNonEmptySegment() {
        AccessPolicy.Rule invoke = AccessPolicy.RULES.stream()
                .filter(rule -> rule.path().endsWith("/invoke")).findFirst().orElseThrow();
        assertTrue(invoke.matches("/evaluator/v1/libraries/science/functions/f2c/invoke"));
        assertFalse(invoke.matches("/evaluator/v1/libraries/science/functions/invoke"));
        assertFalse(invoke.matches("/evaluator/v1/libraries/a/b/functions/f2c/invoke"));
    }
}
