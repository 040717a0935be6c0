package dev.evaluator.api;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser that holds the administrator's Basic credentials visits another site whose page posts a library to the
 * evaluator with a {@code text/plain} form (a simple request: no preflight, and the browser attaches the cached
 * credentials). The write is refused with 403 {@code cross_site_request} and nothing is stored, while the same
 * browser's same-origin write, with the same cached credentials, is accepted.
 */
class CrossSiteBrowserIT {
    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @RegisterExtension
    final Browser browser = new Browser();
    private WebDriver driver;
    private HttpServer attacker;

    @BeforeAll
    static void installed() {
        Browser.requireInstalled();
    }

    @BeforeEach
    void start() throws IOException {
        driver = browser.driver();
        // Another site: localhost is not the same site as 127.0.0.1.
        attacker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String target = "http://127.0.0.1:" + server.port() + TestServer.LIBRARIES + "/evil";
        String page = "<!doctype html><html><head><link rel=icon href='data:,'></head><body>"
                + "<form method=POST enctype=text/plain action='" + target + "'>"
                + "<input type=hidden name='function f() { return 1; } //' value=''></form>"
                + "<script>document.forms[0].submit();</script></body></html>";
        attacker.createContext("/", exchange -> {
            byte[] body = page.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        attacker.start();
    }

    @AfterEach
    void stop() {
        attacker.stop(0);
    }

    /** A JSON page has no icon (the browser asks for /favicon.ico); the refused post is logged as a 403. */
    private void forgetFaviconMisses() {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER).getAll()) {
            assertTrue(entry.getMessage().contains("/favicon.ico") || entry.getMessage().contains("/evil - Failed"
                    + " to load resource: the server responded with a status of 403"), entry.getMessage());
        }
    }

    @Test
    void formPostFromAnotherSite_withCachedCredentials_refusedAndNothingStored() {
        String self = "http://127.0.0.1:" + server.port();
        // The browser learns the credentials as a user would: a page of the server that asked for them.
        driver.get("http://" + TestServer.ADMIN + ":" + TestServer.PASSWORD + "@127.0.0.1:" + server.port()
                + WhoAmIService.PATH);
        assertTrue(driver.getPageSource().contains("\"id\":\"" + TestServer.ADMIN + "\""), driver.getPageSource());
        forgetFaviconMisses();

        driver.get("http://localhost:" + attacker.getAddress().getPort() + "/");
        browser.waitUntil("the form posted", () -> driver.getCurrentUrl().startsWith(self));

        assertTrue(driver.getPageSource().contains("cross_site_request"), driver.getPageSource());
        server.admin().get(TestServer.LIBRARIES + "/evil").then().statusCode(404);

        // The same cached credentials from the server's own page: accepted.
        driver.get(self + WhoAmIService.PATH);
        forgetFaviconMisses();
        Object status = ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('%s/own', {method: 'POST', body: 'function g() { return 2; }', credentials: 'include'})
                    .then(r => done(r.status), e => done(String(e)));
                """.formatted(TestServer.LIBRARIES));
        assertEquals(200L, status);
        server.admin().get(TestServer.LIBRARIES + "/own").then().statusCode(200);
    }
}
