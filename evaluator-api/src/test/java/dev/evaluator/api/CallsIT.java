package dev.evaluator.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The running and queued calls, seen and stopped over HTTP: who sees which call, who may stop it, and that the
 * stopped call's client gets its answer at once.
 */
class CallsIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String INVENTORY = "bucket=travel-sample&scope=inventory";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @BeforeAll
    static void usersAndLibraries() {
        server.admin().body("function spin() { while (true) {} }").post(LIBS + "/spin?" + INVENTORY).then()
                .statusCode(200);
        user("sexec", "query_execute_external_functions[travel-sample:inventory]");
        user("smgr", "query_manage_external_functions[travel-sample:inventory]");
        user("other", "query_execute_external_functions[beer-sample:brewery]");
    }

    private static void user(String name, String roles) {
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=" + name + "-password&roles=" + roles)
                .put(UserService.PATH + "/local/" + name).then().statusCode(200);
    }

    private static RequestSpecification as(String name) {
        return server.anonymous().auth().preemptive().basic(name, name + "-password");
    }

    private static List<Map<String, Object>> calls(RequestSpecification as) {
        return as.get(CallsService.PATH).then().statusCode(200).extract().jsonPath().getList("$");
    }

    @Test
    void runawayCall_listedToWhoMaySeeIt_stoppedByItsNamespacesManager_clientAnsweredAtOnce() throws Exception {
        CompletableFuture<Response> spinning = CompletableFuture.supplyAsync(() -> as("sexec")
                .contentType("application/json").body("{}")
                .post(LIBS + "/spin/functions/spin/invoke?timeout=60s&" + INVENTORY));
        Map<String, Object> call = null;
        for (int i = 0; i < 200 && call == null; i++) {
            call = calls(server.admin()).stream().filter(c -> "spin".equals(c.get("function"))).findFirst()
                    .orElse(null);
            Thread.sleep(50);
        }
        assertTrue(call != null, "the running call is listed");
        assertEquals("spin", call.get("library"));
        assertEquals("travel-sample", call.get("bucket"));
        assertEquals("inventory", call.get("scope"));
        assertEquals("sexec", call.get("user"));
        assertEquals("invoke", call.get("entryPoint"));
        int id = (Integer) call.get("id");

        assertEquals(1, calls(as("sexec")).size(), "its caller sees it");
        assertEquals(1, calls(as("smgr")).size(), "the namespace's manager sees it");
        assertEquals(List.of(), calls(as("other")), "another namespace's user does not");
        FunctionsIT.query(server.admin(), "SELECT RAW [r.`function`, r.users, r.state] FROM system:active_requests AS r",
                null).then().statusCode(200).body("results", equalTo(List.of(List.of("spin", "sexec", "running"))));
        FunctionsIT.query(as("other"), "SELECT RAW r FROM system:active_requests AS r", null).then().statusCode(200)
                .body("results", equalTo(List.of()));

        as("other").delete(CallsService.PATH + "/" + id).then().statusCode(404).body("code", equalTo("call_not_found"));
        as("sexec").delete(CallsService.PATH + "/" + id).then().statusCode(403).body("code", equalTo("forbidden"));
        long stopped = System.nanoTime();
        as("smgr").delete(CallsService.PATH + "/" + id).then().statusCode(200);

        Response answer = spinning.get(30, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - stopped < 20_000_000_000L, "answered long before its 60 s timeout");
        answer.then().statusCode(422).body("code", equalTo("call_cancelled"));
        assertTrue(calls(server.admin()).stream().noneMatch(c -> c.get("id").equals(id)), "gone from the list");
        server.admin().delete(CallsService.PATH + "/" + id).then().statusCode(404);
    }

    @Test
    void stop_badId_400() {
        server.admin().delete(CallsService.PATH + "/abc").then().statusCode(400).body("code", equalTo("bad_request"));
    }
}
