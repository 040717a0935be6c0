package dev.evaluator.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.restassured.response.Response;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Library history over HTTP: versions made by writes, listing with a cursor, one version, diffs as text and JSON,
 * rollback, deleted libraries' histories and purge; ETags with 304 and 412; a race of two editors using If-Match.
 * Every response is checked against openapi.yaml.
 */
class LibraryHistoryIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String SCOPE = "?bucket=travel-sample&scope=inventory";
    private static final String V1 = "function add(a, b) { return a + b; }\n";
    private static final String V2 = "function add(a, b) { return a + b; }\nfunction sub(a, b) { return a - b; }\n";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perTest();

    private static Response post(String path, String code) {
        return server.admin().body(code).post(LIBS + path);
    }

    private static String etag(String path) {
        return server.admin().get(LIBS + path).then().statusCode(200).extract().header("ETag");
    }

    @Test
    void post_makesVersions_identicalCodeMakesNone_answerAsCouchbase() {
        Response first = post("/math" + SCOPE, V1);
        first.then().statusCode(200).header("X-Evaluator-Version", "1")
                .header("ETag", matchesPattern("^\"[0-9a-f]{64}\"$"));
        assertEquals("{\"status\": \"OK\"}", first.asString());
        post("/math" + SCOPE, V1).then().statusCode(200).header("X-Evaluator-Version", "1");
        server.admin().header("X-Evaluator-Message", "adds sub").body(V2).post(LIBS + "/math" + SCOPE)
                .then().statusCode(200).header("X-Evaluator-Version", "2");

        server.admin().get(LIBS + "/math/versions" + SCOPE).then().statusCode(200)
                .body("name", equalTo("math")).body("bucket", equalTo("travel-sample"))
                .body("versions.version", equalTo(List.of(2, 1)))
                .body("versions[0].message", equalTo("adds sub"))
                .body("versions[0].user", equalTo(TestServer.ADMIN))
                .body("versions[1].size", equalTo(V1.length()))
                .body("nextCursor", nullValue());
        server.admin().get(LIBS + "/math/versions/1" + SCOPE).then().statusCode(200)
                .body("code", equalTo(V1)).body("version", equalTo(1)).body("message", equalTo(""));
    }

    @Test
    void versions_pageWithLimitAndCursor() {
        for (int i = 1; i <= 5; i++) {
            post("/paged", "function f" + i + "() {}").then().statusCode(200);
        }
        Response page = server.admin().get(LIBS + "/paged/versions?limit=2");
        page.then().statusCode(200).body("versions.version", equalTo(List.of(5, 4)));
        String cursor = page.jsonPath().getString("nextCursor");
        Response next = server.admin().queryParam("limit", 2).queryParam("cursor", cursor)
                .get(LIBS + "/paged/versions");
        next.then().statusCode(200).body("versions.version", equalTo(List.of(3, 2)));
        server.admin().queryParam("limit", 2).queryParam("cursor", next.jsonPath().getString("nextCursor"))
                .get(LIBS + "/paged/versions").then().statusCode(200)
                .body("versions.version", equalTo(List.of(1))).body("nextCursor", nullValue());
    }

    @Test
    void badInputs_400_changeNothing() {
        post("/bad", V1).then().statusCode(200);
        for (String query : List.of("?limit=0", "?limit=1001", "?limit=x", "?cursor=nonsense", "?cursor=")) {
            server.admin().urlEncodingEnabled(false).get(LIBS + "/bad/versions" + query).then().statusCode(400)
                    .body("code", equalTo("bad_request"));
        }
        server.admin().get(LIBS + "/bad/versions/0").then().statusCode(400).body("code", equalTo("bad_request"));
        server.admin().get(LIBS + "/bad/versions/x/diff/1").then().statusCode(400);
        server.admin().get(LIBS + "/bad/versions/7").then().statusCode(404).body("code", equalTo("version_not_found"));
        server.admin().get(LIBS + "/missing/versions").then().statusCode(404)
                .body("code", equalTo("library_not_found"));
        for (String body : List.of("", "{}", "{\"version\":0}", "{\"version\":\"1\"}", "{\"version\":1.5}", "[1]",
                "{\"version\":")) {
            server.admin().contentType("application/json").body(body).post(LIBS + "/bad/rollback").then()
                    .statusCode(400).body("code", equalTo("invalid_body"));
        }
        server.admin().header("If-Match", "not-a-tag").body(V2).post(LIBS + "/bad").then().statusCode(400)
                .body("code", equalTo("bad_request"));
        server.admin().header("If-None-Match", "\"abc\"").body(V2).post(LIBS + "/bad").then().statusCode(400);
        server.admin().header("If-None-Match", "*").delete(LIBS + "/bad").then().statusCode(400);
        server.admin().header("X-Evaluator-Message", "a").queryParam("message", "b").body(V2).post(LIBS + "/bad")
                .then().statusCode(400);
        server.admin().get(LIBS + "/bad/versions").then().body("versions.version", equalTo(List.of(1)));
        assertEquals(V1, server.admin().get(LIBS + "/bad").jsonPath().getString("bad"));
    }

    @Test
    void diff_asTextOrJson() {
        post("/d", V1).then().statusCode(200);
        post("/d", V2).then().statusCode(200);

        Response text = server.admin().get(LIBS + "/d/versions/1/diff/2");
        text.then().statusCode(200).contentType(startsWith("text/x-diff"));
        assertEquals("--- d@1\n+++ d@2\n@@ -1,1 +1,2 @@\n function add(a, b) { return a + b; }\n"
                + "+function sub(a, b) { return a - b; }\n", text.asString());
        server.admin().accept("application/json").get(LIBS + "/d/versions/2/diff/1").then().statusCode(200)
                .body("from.version", equalTo(2)).body("to.version", equalTo(1))
                .body("hunks", hasSize(1))
                .body("hunks[0].lines", equalTo(List.of(" function add(a, b) { return a + b; }",
                        "-function sub(a, b) { return a - b; }")));
        server.admin().get(LIBS + "/d/versions/2/diff/2").then().statusCode(204).body(emptyString());
    }

    @Test
    void rollback_newVersionWithOldCode_guardedLikeAPost() {
        post("/r", V1).then().statusCode(200);
        post("/r", V2).then().statusCode(200);
        FunctionsIT.query(server.admin(), "CREATE FUNCTION subber(a, b) LANGUAGE JAVASCRIPT AS \"sub\" AT \"r\"",
                null).then()
                .statusCode(200);

        server.admin().contentType("application/json").body("{\"version\": 1}").post(LIBS + "/r/rollback")
                .then().statusCode(409).body("code", equalTo("binding_broken"));
        assertEquals(V2, server.admin().get(LIBS + "/r").jsonPath().getString("r"));

        server.admin().contentType("application/json").body("{\"version\": 1}").post(LIBS + "/r/rollback?force=true")
                .then().statusCode(200).header("X-Evaluator-Version", "3")
                .body("version", equalTo(3)).body("created", equalTo(true));
        assertEquals(V1, server.admin().get(LIBS + "/r").jsonPath().getString("r"));
        server.admin().get(LIBS + "/r/versions/3").then().body("message", equalTo("Rollback to version 1"));
        server.admin().contentType("application/json").body("{\"version\": 9}").post(LIBS + "/r/rollback")
                .then().statusCode(404).body("code", equalTo("version_not_found"));
    }

    @Test
    void etag_304_and412WithTheCurrentETag() {
        post("/e", V1).then().statusCode(200);
        String etag = etag("/e");

        server.admin().header("If-None-Match", etag).get(LIBS + "/e").then().statusCode(304)
                .header("ETag", etag).body(emptyString());
        server.admin().header("If-None-Match", "\"other\"").get(LIBS + "/e").then().statusCode(200);

        server.admin().header("If-Match", etag).body(V2).post(LIBS + "/e").then().statusCode(200);
        String current = etag("/e");
        assertNotEquals(etag, current);
        server.admin().header("If-Match", etag).body(V1).post(LIBS + "/e").then().statusCode(412)
                .body("code", equalTo("precondition_failed")).body("etag", equalTo(current))
                .header("ETag", current);
        server.admin().header("If-Match", etag).delete(LIBS + "/e").then().statusCode(412)
                .body("etag", equalTo(current));
        server.admin().header("If-Match", etag).contentType("application/json").body("{\"version\": 1}")
                .post(LIBS + "/e/rollback").then().statusCode(412);
        assertEquals(V2, server.admin().get(LIBS + "/e").jsonPath().getString("e"));

        server.admin().header("If-None-Match", "*").body(V1).post(LIBS + "/e").then().statusCode(412)
                .body("etag", equalTo(current));
        server.admin().header("If-None-Match", "*").body(V1).post(LIBS + "/fresh").then().statusCode(200);
        server.admin().header("If-Match", "*").body(V1).post(LIBS + "/nothere").then().statusCode(412)
                .body("etag", nullValue());
        server.admin().header("If-Match", "W/" + current + ", " + current).delete(LIBS + "/e").then()
                .statusCode(200);
    }

    @Test
    void delete_keepsHistory_listedAsDeleted_restoredByRollback_purgeRemovesIt() {
        post("/gone" + SCOPE, V1).then().statusCode(200);
        post("/gone" + SCOPE, V2).then().statusCode(200);
        post("/stays", V1).then().statusCode(200);
        server.admin().delete(LIBS + "/gone" + SCOPE).then().statusCode(200);

        server.admin().get("/evaluator/v1/history?deleted=true").then().statusCode(200)
                .body("histories.name", equalTo(List.of("gone")))
                .body("histories[0].bucket", equalTo("travel-sample"))
                .body("histories[0].deleted", equalTo(true))
                .body("histories[0].latest.version", equalTo(2));
        server.admin().get("/evaluator/v1/history").then().statusCode(200)
                .body("histories.name", equalTo(List.of("gone", "stays")));
        server.admin().get(LIBS + "/gone/versions" + SCOPE).then().statusCode(200)
                .body("versions.version", equalTo(List.of(2, 1)));

        server.admin().contentType("application/json").body("{\"version\": 1}").post(LIBS + "/gone/rollback" + SCOPE)
                .then().statusCode(200).body("version", equalTo(3));
        assertEquals(V1, server.admin().get(LIBS + "/gone" + SCOPE).jsonPath().getString("gone"));

        server.admin().delete(LIBS + "/gone" + SCOPE + "&purge=true").then().statusCode(200);
        server.admin().get(LIBS + "/gone/versions" + SCOPE).then().statusCode(404);
        server.admin().get("/evaluator/v1/history?deleted=true").then().body("histories", hasSize(0));
        server.admin().delete(LIBS + "/gone" + SCOPE + "&purge=true").then().statusCode(404);
        post("/gone" + SCOPE, V1).then().statusCode(200).header("X-Evaluator-Version", "4");
    }

    /**
     * Two editors read the library, then both save with If-Match at once, round after round: exactly one wins each
     * round and the other gets 412, so no edit is silently lost; every win is one version.
     */
    @Test
    void twoEditorsRacing_withIfMatch_exactlyOneWinsEachRound() throws Exception {
        int rounds = 60;
        post("/race", "function v0() {}").then().statusCode(200);
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int round = 1; round <= rounds; round++) {
                String etag = etag("/race");
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Integer>> editors = new ArrayList<>();
                for (String editor : List.of("a", "b")) {
                    String code = "function " + editor + round + "() {}";
                    editors.add(pool.submit(() -> {
                        start.await();
                        return server.admin().header("If-Match", etag).body(code).post(LIBS + "/race").statusCode();
                    }));
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> editor : editors) {
                    statuses.add(editor.get());
                }
                statuses.sort(null);
                assertEquals(List.of(200, 412), statuses, "round " + round);
            }
        }
        server.admin().get(LIBS + "/race/versions?limit=1").then()
                .body("versions[0].version", equalTo(rounds + 1));
        assertNull(server.admin().get(LIBS + "/race/versions?limit=1000").jsonPath().getString("nextCursor"));
    }
}
