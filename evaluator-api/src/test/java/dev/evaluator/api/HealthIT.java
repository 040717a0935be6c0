package dev.evaluator.api;

import java.util.List;

import io.restassured.response.Response;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The health probes: open to anyone, up only while the store takes writes and the engine runs, and saying nothing
 * beyond each check's name and status.
 */
class HealthIT {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.perTest();

    @Test
    void ready_storeOpenAndEngineInitialised_upNamingEachCheck() {
        Response ready = server.anonymous().get(HealthChecks.READY_PATH);

        ready.then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", equalTo(List.of("store", "javascript")))
                .body("checks.status", equalTo(List.of("UP", "UP")));
        assertTrue(ready.headers().getValues("Cache-Control").contains("no-store"), ready.headers().toString());
    }

    @Test
    void live_withWrongCredentials_upWithoutAuthentication() {
        server.anonymous().auth().preemptive().basic(TestServer.ADMIN, "wrong-password")
                .get(HealthChecks.LIVE_PATH).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", equalTo(List.of("server", "listeners")));
    }

    @Test
    void ready_storeClosedUnderTheServer_downNamingTheStoreWhileLiveStaysUp() {
        server.evaluator().store().close();

        server.anonymous().get(HealthChecks.READY_PATH).then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'store' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'javascript' }.status", equalTo("UP"))
                .body(not(containsString(server.dataDir().toString())));
        server.anonymous().head(HealthChecks.READY_PATH).then().statusCode(503).body(emptyString());
        server.anonymous().get(HealthChecks.LIVE_PATH).then().statusCode(200);
    }

    @Test
    void ready_engineClosedUnderTheServer_downNamingJavascript() {
        server.evaluator().runtime().close();

        server.anonymous().get(HealthChecks.READY_PATH).then().statusCode(503)
                .body("checks.find { it.name == 'store' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'javascript' }.status", equalTo("DOWN"));
    }

    @Test
    void otherHealthRoutes_needTheAdministrator() {
        server.anonymous().get("/health").then().statusCode(401);
        server.anonymous().get(HealthChecks.READY_PATH + "/store").then().statusCode(401);
        server.admin().get("/health").then().statusCode(200).body("checks.name",
                equalTo(List.of("server", "listeners", "store", "javascript")));
    }

    @Test
    void ready_postNotAllowed_needsCredentialsLikeAnyOtherMethod() {
        server.anonymous().post(HealthChecks.READY_PATH).then().statusCode(401);
    }
}
