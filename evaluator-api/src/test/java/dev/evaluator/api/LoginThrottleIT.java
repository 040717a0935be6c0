package dev.evaluator.api;

import dev.evaluator.engine.LoginThrottle;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The login throttle over HTTP, from two loopback addresses: the victims' own (127.0.0.1, where the server listens)
 * and an attacker's (127.0.0.2, which Linux routes to the loopback interface too). A fresh server per test, so one
 * test's failures spend nothing of another's budget.
 */
class LoginThrottleIT {
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final int TRIES = 3 * LoginThrottle.FREE_FAILURES;

    @RegisterExtension
    final ServerExtension server = ServerExtension.perTest();

    @Test
    void guessesFromAnotherAddress_doNotLockTheVictimOut() throws Exception {
        createUser("regular", "regular-pass");
        createUser("fresh", "fresh-pass");
        // "regular" logged in before the attack (its credentials are cached), "fresh" never did.
        as("regular", "regular-pass").get(WhoAmIService.PATH).then().statusCode(200);
        HttpClient attacker = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.2")).build();
        for (String victim : new String[] {"regular", "fresh", TestServer.ADMIN}) {
            assertEquals(429, guessUntilRefused(attacker, victim), "the attacker's address is throttled for " + victim);
        }
        as("regular", "regular-pass").get(WhoAmIService.PATH).then().statusCode(200);
        as("fresh", "fresh-pass").get(WhoAmIService.PATH).then().statusCode(200);
        server.admin().get(WhoAmIService.PATH).then().statusCode(200).body("id", equalTo(TestServer.ADMIN));
    }

    @Test
    void ownValidLogin_doesNotResetTheAddressBudget() {
        createUser("mallory", "mallory-pass");
        int guesses = 0;
        int refusedAt = 0;
        while (refusedAt == 0 && guesses < TRIES) {
            for (int i = 0; i < 4 && refusedAt == 0; i++) {
                guesses++;
                int status = as("someone" + guesses, "guess-" + guesses).get(WhoAmIService.PATH).statusCode();
                if (status == 429) {
                    refusedAt = guesses;
                } else {
                    assertEquals(401, status);
                }
            }
            as("mallory", "mallory-pass").get(WhoAmIService.PATH).then().statusCode(200);
        }
        assertEquals(LoginThrottle.FREE_FAILURES + 1, refusedAt, "the guess after the free ones waits, however "
                + "often the guesser logs in with its own account in between");
    }

    /** Wrong passwords for a user from the attacker's client until one is not a 401: that one's status. */
    private int guessUntilRefused(HttpClient client, String user) throws IOException, InterruptedException {
        for (int i = 0; i < TRIES; i++) {
            String login = user + ":wrong-guess-" + i;
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + WhoAmIService.PATH))
                    .header("Authorization", "Basic "
                            + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)))
                    .GET().build();
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 401) {
                return status;
            }
        }
        return 401;
    }

    private void createUser(String name, String password) {
        server.admin().contentType(FORM).body("password=" + password + "&roles=ro_admin")
                .put(UserService.PATH + "/local/" + name).then().statusCode(200);
    }

    private RequestSpecification as(String user, String password) {
        return server.anonymous().auth().preemptive().basic(user, password);
    }
}
