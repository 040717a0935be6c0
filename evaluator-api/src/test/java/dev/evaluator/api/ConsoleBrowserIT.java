package dev.evaluator.api;

import java.util.List;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin console in a real browser (Debian's Chromium, headless) against a real server: what a user does and
 * relies on, from signing in to running a function. Each test uses its own libraries on one server.
 */
class ConsoleBrowserIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String INVENTORY = "bucket=travel-sample&scope=inventory";
    private static final String SCOPE_MANAGER = "scopemgr";
    private static final String SCOPE_MANAGER_PASSWORD = "scope-manager-pw";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @RegisterExtension
    final Browser browser = new Browser();
    private WebDriver driver;
    private String base;

    @BeforeAll
    static void start() {
        Browser.requireInstalled();
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("password=" + SCOPE_MANAGER_PASSWORD
                        + "&roles=query_manage_external_functions[travel-sample:inventory]")
                .put(UserService.PATH + "/local/" + SCOPE_MANAGER).then().statusCode(200);
    }

    @BeforeEach
    void connect() {
        driver = browser.driver();
        base = "http://127.0.0.1:" + server.port() + "/ui/";
    }

    @Test
    void signIn_wrongThenRightPassword_credentialsOnlyInTheTab_signOutClearsThem() {
        driver.get(base);
        browser.waitFor(By.id("sign-in-user")).sendKeys(TestServer.ADMIN);
        driver.findElement(By.id("sign-in-password")).sendKeys("not-the-password", Keys.ENTER);
        assertTrue(browser.waitFor(By.id("sign-in-error")).getText().contains("Wrong user name or password"));
        assertNull(browser.script("return sessionStorage.getItem('evaluator.credentials');"));

        driver.findElement(By.id("sign-in-password")).sendKeys(TestServer.PASSWORD, Keys.ENTER);
        assertEquals(TestServer.ADMIN, browser.waitFor(By.id("account-name")).getText());
        assertEquals("Libraries", browser.waitFor(By.cssSelector("#view h1")).getText());
        assertNotNull(browser.script("return sessionStorage.getItem('evaluator.credentials');"));
        assertEquals(0L, browser.script("return localStorage.length;"));
        assertEquals("", browser.script("return document.cookie;"));

        driver.navigate().refresh();
        assertEquals(TestServer.ADMIN, browser.waitFor(By.id("account-name")).getText(), "a reload keeps the session");

        driver.findElement(By.id("sign-out")).click();
        browser.waitFor(By.id("sign-in-user"));
        assertNull(browser.script("return sessionStorage.getItem('evaluator.credentials');"));
        driver.navigate().refresh();
        browser.waitFor(By.id("sign-in-user"));
        assertFalse(driver.findElement(By.id("account")).isDisplayed());
    }

    @Test
    void createLibrary_syntaxErrorMarkedAtItsLine_fixedAndSaved() {
        signIn(TestServer.ADMIN, TestServer.PASSWORD);
        browser.waitFor(By.id("new-library")).click();
        WebElement namespace = browser.waitFor(By.id("new-library-namespace"));
        namespace.clear();
        namespace.sendKeys("global");
        // The name rule is the server's: the dialog shows its invalid_name message and stays open.
        WebElement name = driver.findElement(By.id("new-library-name"));
        name.sendKeys("-geometry", Keys.ENTER);
        String refused = server.admin().get(LIBS + "/-geometry").then().statusCode(400).extract().jsonPath()
                .getString("message");
        browser.waitUntil("the server's message", () -> driver.findElement(By.id("dialog-error")).isDisplayed()
                && driver.findElement(By.id("dialog-error")).getText().equals(refused.strip()));
        name.clear();
        name.sendKeys("geometry", Keys.ENTER);
        browser.waitFor(By.cssSelector("#editor-host .CodeMirror"));
        assertTrue(driver.getCurrentUrl().contains("new=1"));
        assertTrue(driver.findElement(By.id("dirty-indicator")).isDisplayed(), "a new library is unsaved");

        String broken = "function area(r) {\n  return Math.PI * r * r;\n}\n\nfunction perimeter(r {\n  return 2 * r;\n}\n";
        browser.setCode(broken);
        new Actions(driver).click(driver.findElement(By.cssSelector(".CodeMirror-code")))
                .keyDown(Keys.CONTROL).sendKeys("s").keyUp(Keys.CONTROL).perform();
        WebElement error = browser.waitFor(By.id("syntax-error"));
        assertEquals("5", error.getDomAttribute("data-line"));
        assertTrue(error.getText().contains("line 5"), error.getText());
        assertEquals(List.of("5"), markedLines("cm-error-line"));
        assertFalse(driver.findElements(By.cssSelector(".CodeMirror .cm-error-mark, .CodeMirror .cm-error-caret"))
                .isEmpty(), "the column is marked");
        server.admin().get(LIBS + "/geometry").then().statusCode(404);

        String fixed = broken.replace("perimeter(r {", "perimeter(r) {");
        browser.setCode(fixed);
        driver.findElement(By.id("save-library")).click();
        browser.waitUntil("saved", () -> message().contains("Saved geometry"));
        assertFalse(driver.findElement(By.id("syntax-error")).isDisplayed());
        assertEquals(List.of(), markedLines("cm-error-line"));
        assertFalse(driver.findElement(By.id("dirty-indicator")).isDisplayed());
        assertFalse(driver.getCurrentUrl().contains("new=1"));
        server.admin().get(LIBS + "/geometry").then().statusCode(200).body("geometry", equalTo(fixed));
        browser.waitFor(By.cssSelector("#functions-list li[data-function='perimeter']"));
    }

    @Test
    void binding_createdFromTheFunctionList_deleteRefusedWithLinks_droppedThenLibraryDeleted() {
        server.admin().body("/** Fahrenheit to Celsius. */\nfunction f2c(f) { return (5/9)*(f-32); }\n")
                .post(LIBS + "/science?" + INVENTORY).then().statusCode(200);
        signIn(TestServer.ADMIN, TestServer.PASSWORD);
        driver.get(base + "#/library?ns=travel-sample.inventory&name=science");
        WebElement f2c = browser.waitFor(By.cssSelector("#functions-list li[data-function='f2c']"));
        assertTrue(f2c.getText().contains("Fahrenheit to Celsius."), f2c.getText());
        f2c.findElement(By.cssSelector("button.bind-this")).click();

        Select library = new Select(browser.waitFor(By.id("binding-library")));
        assertEquals("science (travel-sample.inventory)", library.getFirstSelectedOption().getText());
        browser.waitUntil("functions listed", () -> !new Select(driver.findElement(By.id("binding-function")))
                .getOptions().isEmpty());
        Select function = new Select(driver.findElement(By.id("binding-function")));
        assertEquals("f2c", function.getFirstSelectedOption().getDomAttribute("value"), "picked from a list");
        WebElement name = driver.findElement(By.id("binding-name"));
        assertEquals("f2c", name.getDomProperty("value"));
        assertEquals("f", driver.findElement(By.id("binding-parameters")).getDomProperty("value"));
        name.clear();
        name.sendKeys("celsius");
        assertEquals("CREATE FUNCTION `celsius`(`f`) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"",
                driver.findElement(By.id("binding-statement")).getText());
        name.sendKeys(Keys.ENTER);
        String qualified = "default:`travel-sample`.inventory.celsius";
        browser.waitUntil("created", () -> message().contains("SQL++ function " + qualified + " created"));
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("statement=SELECT%20RAW%20identity.name%20FROM%20system:functions").post(QueryService.PATH)
                .then().body("results", hasItem("celsius"));
        browser.waitFor(By.xpath("//li[@data-function='f2c']//a[.='" + qualified + "']"));

        driver.findElement(By.id("delete-library")).click();
        browser.waitFor(By.id("dialog-ok")).click();
        WebElement link = browser.waitFor(By.cssSelector("#message a.function-link"));
        assertTrue(message().contains("Library science cannot be deleted: 1 SQL++ function uses it"), message());
        assertEquals(qualified, link.getText());
        server.admin().get(LIBS + "/science?" + INVENTORY).then().statusCode(200);

        link.click();
        WebElement row = browser.waitFor(By.cssSelector("#bindings-table tr[data-function='" + qualified + "']"));
        assertTrue(driver.getCurrentUrl().contains("#/bindings?q="));
        assertEquals(qualified, driver.findElement(By.id("binding-filter")).getDomProperty("value"));
        assertEquals(1, driver.findElements(By.cssSelector("#bindings-table tbody tr[data-function]")).size());
        row.findElement(By.cssSelector("button.drop-binding")).click();
        browser.waitFor(By.id("dialog-ok")).click();
        browser.waitUntil("dropped", () -> message().contains("dropped"));
        browser.waitUntilGone(By.cssSelector("#bindings-table tr[data-function='" + qualified + "']"));
        server.admin().contentType("application/x-www-form-urlencoded")
                .body("statement=SELECT%20RAW%20identity.name%20FROM%20system:functions").post(QueryService.PATH)
                .then().body("results", not(hasItem("celsius")));

        driver.findElement(By.cssSelector("#nav a[data-section='libraries']")).click();
        WebElement science = browser.waitFor(By.cssSelector("#libraries-table tr[data-library='science']"));
        science.findElement(By.cssSelector("button.delete-library")).click();
        browser.waitFor(By.id("dialog-ok")).click();
        browser.waitUntil("deleted", () -> message().contains("Library science (travel-sample.inventory) deleted"));
        browser.waitUntilGone(By.cssSelector("#libraries-table tr[data-library='science']"));
        server.admin().get(LIBS + "/science?" + INVENTORY).then().statusCode(404);
    }

    @Test
    void run_showsResultConsoleOutputAndDuration() {
        server.admin().body("function f2c(f) {\n  console.log('converting ' + f);\n  return (5/9)*(f-32);\n}\n")
                .post(LIBS + "/temperatures").then().statusCode(200);
        signIn(TestServer.ADMIN, TestServer.PASSWORD);
        driver.get(base + "#/library?ns=global&name=temperatures");
        browser.waitForPresent(By.cssSelector("#run-function option[value='f2c']"));
        WebElement args = driver.findElement(By.id("run-args"));
        assertEquals("[null]", args.getDomProperty("value"), "one argument per parameter");
        args.clear();
        args.sendKeys("[212]");
        driver.findElement(By.id("run-button")).click();
        assertEquals("100", browser.waitFor(By.id("run-result")).getText());
        WebElement editor = driver.findElement(By.cssSelector("#editor-host .CodeMirror"));
        assertTrue(args.getRect().getX() > editor.getRect().getX() + editor.getRect().getWidth(),
                "at 1280x800 the run panel is beside the editor");
        assertFitsViewport(1280);
        WebElement console = driver.findElement(By.id("run-console"));
        assertTrue(console.getText().contains("converting 212"), console.getText());
        String elapsed = driver.findElement(By.id("run-elapsed")).getText();
        assertTrue(elapsed.matches("f2c ran in [0-9.]+(µs|ms|s) \\(\\d+ ms round trip\\)"), elapsed);
    }

    @Test
    void run_functionThrows_errorShownAndItsLineHighlighted() {
        server.admin().body("function ok() { return 1; }\n\nfunction fails(y) {\n  const x = y * 2;\n"
                + "  throw new Error('bad input ' + x);\n}\n").post(LIBS + "/failing").then().statusCode(200);
        signIn(TestServer.ADMIN, TestServer.PASSWORD);
        driver.get(base + "#/library?ns=global&name=failing");
        browser.waitForPresent(By.cssSelector("#run-function option[value='fails']"));
        new Select(driver.findElement(By.id("run-function"))).selectByValue("fails");
        WebElement args = driver.findElement(By.id("run-args"));
        args.clear();
        args.sendKeys("[4]");
        driver.findElement(By.id("run-button")).click();
        assertTrue(browser.waitFor(By.id("run-error")).getText().contains("bad input 8"));
        assertEquals("5", driver.findElement(By.id("run-error-location")).getDomAttribute("data-line"));
        assertEquals(List.of("5"), markedLines("cm-run-error-line"));
        assertTrue(driver.findElement(By.id("run-elapsed")).getText().startsWith("fails failed after"));
    }

    @Test
    void runningCalls_listedLive_stoppedWithStopByTheNamespacesManager() throws Exception {
        server.admin().body("function spin() { while (true) {} }").post(LIBS + "/spinner?" + INVENTORY).then()
                .statusCode(200);
        try (var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var spinning = clients.submit(() -> server.admin().contentType("application/json").body("{}")
                    .post(LIBS + "/spinner/functions/spin/invoke?timeout=60s&" + INVENTORY));
            signIn(SCOPE_MANAGER, SCOPE_MANAGER_PASSWORD);
            driver.findElement(By.cssSelector("#nav a[data-section='calls']")).click();
            WebElement row = browser.waitFor(By.cssSelector("#calls-table tr.call.running"));
            assertEquals("page", driver.findElement(By.cssSelector("#nav a[data-section='calls']"))
                    .getDomAttribute("aria-current"), "the section is marked current");
            assertTrue(row.getText().contains("spin") && row.getText().contains("spinner")
                    && row.getText().contains(TestServer.ADMIN) && row.getText().contains("invoke"), row.getText());
            assertEquals("1 running, 0 waiting", driver.findElement(By.id("calls-summary")).getText());
            // The list follows the call: its elapsed time grows between refreshes.
            String before = row.findElements(By.cssSelector("td")).get(5).getText();
            browser.waitUntil("elapsed time refreshed", () -> !driver.findElement(By.cssSelector(
                    "#calls-table tr.call.running")).findElements(By.cssSelector("td")).get(5).getText().equals(before));
            driver.findElement(By.cssSelector("#calls-table tr.call.running button.stop-call")).click();
            browser.waitFor(By.id("dialog-ok")).click();
            browser.waitFor(By.cssSelector("#calls-table td.empty"));
            assertTrue(message().contains("was stopped"), message());
            assertEquals(422, spinning.get().statusCode());
            assertEquals("call_cancelled", spinning.get().jsonPath().getString("code"));
        }
    }

    @Test
    void scopeManager_otherScopesAndGlobalChangesAbsent_forbiddenShownAsMessage() {
        server.admin().body("function shared() {}").post(LIBS + "/shared").then().statusCode(200);
        server.admin().body("function inv() {}").post(LIBS + "/inv?" + INVENTORY).then().statusCode(200);
        server.admin().body("function brew() {}").post(LIBS + "/brew?bucket=beer-sample&scope=brewery")
                .then().statusCode(200);
        signIn(SCOPE_MANAGER, SCOPE_MANAGER_PASSWORD);

        WebElement shared = browser.waitFor(By.cssSelector("#libraries-table tr[data-library='shared']"));
        WebElement own = driver.findElement(By.cssSelector("#libraries-table tr[data-library='inv']"));
        assertTrue(driver.findElements(By.cssSelector("#libraries-table tr[data-library='brew']")).isEmpty());
        assertTrue(shared.findElements(By.cssSelector("button.delete-library")).isEmpty());
        assertEquals("View", shared.findElement(By.cssSelector("a.button")).getText());
        assertEquals(1, own.findElements(By.cssSelector("button.delete-library")).size());
        assertEquals("Edit", own.findElement(By.cssSelector("a.button")).getText());
        List<String> namespaces = new Select(driver.findElement(By.id("namespace-picker"))).getOptions().stream()
                .map(WebElement::getText).toList();
        assertFalse(namespaces.contains("beer-sample.brewery"), namespaces.toString());

        driver.findElement(By.id("new-library")).click();
        browser.waitFor(By.id("new-library-name"));
        List<String> choices = driver.findElements(By.cssSelector("#new-library-namespaces option")).stream()
                .map(o -> o.getDomAttribute("value")).toList();
        assertEquals(List.of("travel-sample.inventory"), choices);
        new Actions(driver).sendKeys(Keys.ESCAPE).perform();
        browser.waitUntil("dialog closed", () -> !(Boolean) browser.script("return document.getElementById('dialog').open;"));

        driver.get(base + "#/library?ns=beer-sample.brewery&name=brew");
        browser.waitUntil("forbidden shown", () -> message().contains("Not allowed"));
        assertTrue(message().contains("query_manage_external_functions[beer-sample:brewery]"), message());

        driver.get(base + "#/library?ns=global&name=shared");
        browser.waitFor(By.id("read-only-note"));
        assertTrue(driver.findElements(By.id("save-library")).isEmpty());
        assertTrue(driver.findElements(By.id("delete-library")).isEmpty());
        assertTrue(driver.findElements(By.id("run-form")).isEmpty(), "no execute role on global functions");
        browser.waitFor(By.cssSelector("#functions-list li[data-function='shared']"));
        assertTrue(driver.findElements(By.cssSelector("button.bind-this")).isEmpty());
        new Actions(driver).click(driver.findElement(By.cssSelector(".CodeMirror-code"))).sendKeys("typed").perform();
        assertEquals("function shared() {}", browser.code(), "read-only editor");
    }

    @Test
    void librariesTable_filtersSortsAndPicksNamespace() {
        server.admin().body("function a() {}").post(LIBS + "/tbl-alpha").then().statusCode(200);
        server.admin().body("function m() {}\nfunction n() {}\nfunction o() {}").post(LIBS + "/tbl-mid?" + INVENTORY)
                .then().statusCode(200);
        server.admin().body("function z() { return 'a longer library than the others'; }\nfunction y() {}")
                .post(LIBS + "/tbl-zeta").then().statusCode(200);
        signIn(TestServer.ADMIN, TestServer.PASSWORD);
        browser.waitFor(By.cssSelector("#libraries-table tr[data-library='tbl-zeta']"));
        driver.findElement(By.id("library-filter")).sendKeys("tbl-");
        assertEquals(List.of("tbl-alpha", "tbl-mid", "tbl-zeta"), rows());
        assertEquals("2", cell("tbl-zeta", 3), "functions count");
        assertEquals("travel-sample.inventory", cell("tbl-mid", 1));

        driver.findElement(By.cssSelector("button.sort[data-sort='size']")).click();
        assertEquals(List.of("tbl-alpha", "tbl-mid", "tbl-zeta"), rows());
        driver.findElement(By.cssSelector("button.sort[data-sort='functionCount']")).click();
        assertEquals(List.of("tbl-alpha", "tbl-zeta", "tbl-mid"), rows());
        driver.findElement(By.cssSelector("button.sort[data-sort='functionCount']")).click();
        assertEquals(List.of("tbl-mid", "tbl-zeta", "tbl-alpha"), rows());
        assertEquals("descending", driver.findElement(By.cssSelector("th[data-column='functionCount']"))
                .getDomAttribute("aria-sort"));

        new Select(driver.findElement(By.id("namespace-picker"))).selectByVisibleText("travel-sample.inventory");
        assertEquals(List.of("tbl-mid"), rows());
        new Select(driver.findElement(By.id("namespace-picker"))).selectByVisibleText("global");
        assertEquals(List.of("tbl-zeta", "tbl-alpha"), rows());
    }

    @Test
    void keyboard_dialogsOpenCloseAndSubmit_unsavedChangesGuarded() {
        signIn(TestServer.ADMIN, TestServer.PASSWORD);
        browser.waitFor(By.id("new-library")).sendKeys(Keys.ENTER);
        browser.waitFor(By.id("new-library-name"));
        assertEquals("new-library-name", browser.script("return document.activeElement.id;"), "focus in the dialog");
        assertEquals(List.of(), unlabelledControls());
        new Actions(driver).sendKeys(Keys.ESCAPE).perform();
        browser.waitUntil("Escape closes", () -> !(Boolean) browser.script("return document.getElementById('dialog').open;"));

        driver.findElement(By.id("new-library")).sendKeys(Keys.ENTER);
        browser.waitFor(By.id("new-library-name")).sendKeys("keyboard", Keys.ENTER);
        browser.waitFor(By.cssSelector("#editor-host .CodeMirror"));
        assertEquals(List.of(), unlabelledControls());
        new Actions(driver).keyDown(Keys.CONTROL).sendKeys("s").keyUp(Keys.CONTROL).perform();
        browser.waitUntil("saved with Ctrl+S", () -> message().contains("Saved keyboard"));
        new Actions(driver).click(driver.findElement(By.cssSelector(".CodeMirror-code"))).sendKeys(Keys.ESCAPE)
                .perform();
        assertEquals("save-library", browser.script("return document.activeElement.id;"), "Esc leaves the editor");
        server.admin().get(LIBS + "/keyboard").then().statusCode(200);

        new Actions(driver).click(driver.findElement(By.cssSelector(".CodeMirror-code")))
                .keyDown(Keys.CONTROL).sendKeys(Keys.END).keyUp(Keys.CONTROL).sendKeys("\n// more").perform();
        assertTrue(browser.waitFor(By.id("dirty-indicator")).isDisplayed());
        driver.findElement(By.cssSelector("#nav a[data-section='libraries']")).click();
        assertEquals("Unsaved changes", browser.waitFor(By.id("dialog-title")).getText());
        new Actions(driver).sendKeys(Keys.ESCAPE).perform();
        browser.waitUntil("stays", () -> !(Boolean) browser.script("return document.getElementById('dialog').open;"));
        assertTrue(driver.getCurrentUrl().contains("name=keyboard"), driver.getCurrentUrl());
        assertTrue(browser.code().endsWith("// more"), "the edit is kept");

        driver.findElement(By.cssSelector("#nav a[data-section='libraries']")).click();
        browser.waitFor(By.id("dialog-ok")).sendKeys(Keys.ENTER);
        browser.waitFor(By.id("libraries-table"));
        assertTrue(driver.getCurrentUrl().endsWith("#/libraries"), driver.getCurrentUrl());
    }

    @Test
    void narrowScreen_390px_nothingOverflowsTheViewport() {
        browser.viewport(390, 844, true);
        server.admin().body("function narrow(a, b) { return a + b; }")
                .post(LIBS + "/a-library-with-a-rather-long-name-for-a-narrow-screen?" + INVENTORY)
                .then().statusCode(200);
        signIn(TestServer.ADMIN, TestServer.PASSWORD);
        browser.waitFor(By.cssSelector("#libraries-table tr[data-library]"));
        assertFitsViewport(390);
        driver.get(base + "#/library?ns=travel-sample.inventory&name=a-library-with-a-rather-long-name-for-a-narrow-screen");
        browser.waitForPresent(By.cssSelector("#run-function option[value='narrow']"));
        assertFitsViewport(390);
        WebElement editor = driver.findElement(By.cssSelector("#editor-host .CodeMirror"));
        WebElement run = driver.findElement(By.id("run-button"));
        assertTrue(run.getRect().getY() > editor.getRect().getY() + editor.getRect().getHeight(),
                "the run panel goes below the editor");
        driver.get(base + "#/bindings");
        browser.waitFor(By.id("bindings-table"));
        assertFitsViewport(390);
    }

    private void assertFitsViewport(int expectedWidth) {
        Map<String, Object> viewport = browser.layout();
        long width = ((Number) viewport.get("width")).longValue();
        assertTrue(width <= expectedWidth && width > expectedWidth - 20, "the viewport's width: " + viewport);
        assertTrue(((Number) viewport.get("scrollWidth")).longValue() <= width, "no sideways scrolling: " + viewport);
    }

    private void signIn(String user, String password) {
        driver.get(base);
        browser.waitFor(By.id("sign-in-user")).sendKeys(user);
        driver.findElement(By.id("sign-in-password")).sendKeys(password, Keys.ENTER);
        browser.waitUntil("signed in", () -> user.equals(driver.findElement(By.id("account-name")).getText()));
    }

    private String message() {
        WebElement bar = driver.findElement(By.id("message"));
        return bar.isDisplayed() ? bar.getText() : "";
    }

    /** The line numbers of the editor lines carrying a class. */
    private List<String> markedLines(String lineClass) {
        return driver.findElements(By.cssSelector(".CodeMirror ." + lineClass + " .CodeMirror-linenumber")).stream()
                .map(WebElement::getText).toList();
    }

    private List<String> rows() {
        return driver.findElements(By.cssSelector("#libraries-table tbody tr[data-library]")).stream()
                .map(r -> r.getDomAttribute("data-library")).toList();
    }

    private String cell(String library, int column) {
        return driver.findElement(By.cssSelector("#libraries-table tr[data-library='" + library + "']"))
                .findElements(By.cssSelector("th, td")).get(column).getText();
    }

    /** Form controls (visible or in the open dialog) that no label names. */
    @SuppressWarnings("unchecked")
    private List<String> unlabelledControls() {
        return (List<String>) browser.script("""
                return [...document.querySelectorAll('input, select, textarea')]
                  .filter(e => e.offsetParent !== null || e.closest('dialog[open]'))
                  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
                  .map(e => e.id || e.outerHTML.slice(0, 80));
                """);
    }
}
