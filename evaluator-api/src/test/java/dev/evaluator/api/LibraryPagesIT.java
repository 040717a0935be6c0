package dev.evaluator.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pages of the library list ({@code limit}, {@code cursor}, {@code q}): together they are the list, in its order,
 * each caller's pages hold only what it may read, and a bad limit or cursor is a 400.
 */
class LibraryPagesIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String MANAGER = "pagemgr";
    private static final String MANAGER_PASSWORD = "manager-password-1";

    @TempDir
    static Path dataDir;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir);
        for (int i = 0; i < 37; i++) {
            String query = switch (i % 3) {
                case 0 -> "";
                case 1 -> "?bucket=travel&scope=inventory";
                default -> "?bucket=other&scope=s";
            };
            server.admin().body("function f" + i + "(a) { return a; }\nfunction g(b) { return b; }")
                    .post(LIBS + "/lib" + (i * 11 % 37) + query).then().statusCode(200);
        }
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=" + MANAGER_PASSWORD + "&roles=query_manage_external_functions[travel:inventory]")
                .put(UserService.PATH + "/local/" + MANAGER).then().statusCode(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Every page from the first, as one list of {name, bucket, scope}. */
    private static List<Map<String, Object>> allPages(Supplier<RequestSpecification> caller, String query,
                                                      int limit) {
        List<Map<String, Object>> all = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            RequestSpecification request = caller.get().queryParam("limit", limit);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get(LIBS + query).then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> libraries = page.getList("libraries");
            assertTrue(libraries.size() <= limit, "page of " + libraries.size());
            all.addAll(libraries);
            cursor = page.getString("next");
            assertTrue(cursor == null || libraries.size() == limit, "a short page must be the last");
            assertTrue(++pages < 100, "the pages never end");
        } while (cursor != null);
        return all;
    }

    @Test
    void pages_together_areTheWholeListInItsOrder() {
        List<Map<String, Object>> whole = server.admin().get(LIBS).jsonPath().getList("$");

        assertEquals(whole, allPages(server::admin, "", 10));
        assertEquals(whole, allPages(server::admin, "", 1));
        assertEquals(37, whole.size());
    }

    @Test
    void pages_withDetails_carryTheStoredFunctionCount() {
        List<Map<String, Object>> page = server.admin().queryParam("details", "true").queryParam("limit", 5)
                .get(LIBS).jsonPath().getList("libraries");

        assertEquals(5, page.size());
        page.forEach(library -> assertEquals(2, library.get("functionCount"), library.toString()));
    }

    @Test
    void q_matchesNameOrNamespace_caseInsensitively() {
        List<Map<String, Object>> byName = allPages(() -> server.admin().queryParam("q", "LIB3"), "", 100);
        List<Map<String, Object>> byNamespace = allPages(() -> server.admin().queryParam("q", "travel.inv"), "", 5);

        assertEquals(List.of("lib3", "lib30", "lib31", "lib32", "lib33", "lib34", "lib35", "lib36"),
                byName.stream().map(l -> (String) l.get("name")).distinct().toList());
        assertEquals(12, byNamespace.size());
        byNamespace.forEach(l -> assertEquals("travel", l.get("bucket")));
    }

    @Test
    void pages_scopeManager_seesItsScopeAndGlobalOnly_scopedPageOfAnotherScopeIsRefused() {
        Supplier<RequestSpecification> manager = () -> server.anonymous().auth().preemptive()
                .basic(MANAGER, MANAGER_PASSWORD);
        List<Map<String, Object>> seen = allPages(manager, "", 4);

        List<Map<String, Object>> expected = server.admin().get(LIBS).jsonPath().<Map<String, Object>>getList("$")
                .stream().filter(l -> !"other".equals(l.get("bucket"))).toList();
        assertEquals(expected, seen);
        manager.get().queryParam("limit", 5).get(LIBS + "?bucket=other&scope=s").then().statusCode(403);
        assertEquals(12, allPages(manager, "?bucket=travel&scope=inventory", 5).size());
    }

    @Test
    void lastPage_hasNoNext() {
        JsonPath page = server.admin().queryParam("limit", 1000).get(LIBS).jsonPath();

        assertEquals(37, page.getList("libraries").size());
        assertNull(page.getString("next"));
    }

    @Test
    void badLimitOrCursor_is400_withTheReason() {
        for (String limit : List.of("0", "1001", "-1", "ten", "")) {
            server.admin().queryParam("limit", limit).get(LIBS).then().statusCode(400)
                    .body("code", equalTo("bad_request"));
        }
        for (String cursor : List.of("!!", "bm90IGEgY3Vyc29y", "", "MQpsaWIKYgo")) {
            server.admin().queryParam("cursor", cursor).get(LIBS).then().statusCode(400)
                    .body("code", equalTo("bad_request"));
        }
    }
}
