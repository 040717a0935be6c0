package dev.evaluator.api;

import java.util.List;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The editor's History panel and its conflict handling in a real browser (Debian's Chromium, headless) against a
 * real server: versions listed with time, user and message, a side-by-side diff of two, roll back with a
 * confirmation, and a save that meets someone else's change showing it instead of overwriting it. Also writes the
 * README's screenshot of the panel to {@code target/console-screenshots/console-history.png}.
 */
class ConsoleHistoryBrowserIT {
    private static final String LIBS = TestServer.LIBRARIES;
    private static final String V1 = "/** Adds two numbers. */\nfunction add(a, b) {\n  return a + b;\n}\n";
    private static final String V2 = V1 + "\n/** Subtracts b from a. */\nfunction sub(a, b) {\n  return a - b;\n}\n";

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @RegisterExtension
    final Browser browser = new Browser();
    private WebDriver driver;
    private String base;

    @BeforeAll
    static void start() {
        Browser.requireInstalled();
    }

    @BeforeEach
    void connect() {
        driver = browser.driver();
        base = "http://127.0.0.1:" + server.port() + "/ui/";
    }

    private static void save(String name, String code, String message) {
        server.admin().header("X-Evaluator-Message", message).body(code).post(LIBS + "/" + name).then()
                .statusCode(200);
    }

    private static String serverCode(String name) {
        return server.admin().get(LIBS + "/" + name).jsonPath().getString(name);
    }

    private void open(String name) {
        driver.get(base);
        browser.waitFor(By.id("sign-in-user")).sendKeys(TestServer.ADMIN);
        driver.findElement(By.id("sign-in-password")).sendKeys(TestServer.PASSWORD, Keys.ENTER);
        browser.waitUntil("signed in", () -> TestServer.ADMIN.equals(
                driver.findElement(By.id("account-name")).getText()));
        driver.get(base + "#/library?ns=&name=" + name);
        browser.waitFor(By.cssSelector("#editor-host .CodeMirror"));
        browser.waitFor(By.cssSelector("#history-list li[data-version]"));
    }

    /** The listed versions, read in one script (the panel redraws itself after every change). */
    @SuppressWarnings("unchecked")
    private List<String> versions() {
        return (List<String>) browser.script("return [...document.querySelectorAll('#history-list li[data-version]')]"
                + ".map(li => li.dataset.version);");
    }

    private String versionText(String version) {
        return (String) browser.script("const li = document.querySelector(\"#history-list li[data-version='\""
                + " + arguments[0] + \"']\"); return li ? li.innerText : '';", version);
    }

    @Test
    void history_listsVersions_showsADiff_rollsBackAfterConfirming() {
        save("hist", V1, "first cut");
        save("hist", V2, "adds sub");
        open("hist");

        browser.waitUntil("two versions listed", () -> versions().equals(List.of("2", "1")));
        String newest = versionText("2");
        assertTrue(newest.contains(TestServer.ADMIN) && newest.contains("adds sub"), newest);

        driver.findElement(By.id("history-compare")).click();
        WebElement diff = browser.waitFor(By.cssSelector("#history-diff .CodeMirror-merge"));
        assertEquals("Diff: v1 (left) → v2 (right)", driver.findElement(By.id("history-diff-title")).getText());
        browser.waitUntil("the added lines are marked", () -> !diff.findElements(
                By.cssSelector(".CodeMirror-merge-r-inserted, .CodeMirror-merge-r-chunk")).isEmpty());
        browser.screenshot(ConsoleScreenshotsIT.SCREENSHOTS.resolve("console-history.png"));

        driver.findElement(By.cssSelector("#history-list li[data-version='1'] button.rollback")).click();
        browser.waitFor(By.id("dialog-ok")).click();
        browser.waitUntil("rolled back", () -> versions().equals(List.of("3", "2", "1")));
        assertEquals(V1, serverCode("hist"));
        assertEquals(V1, browser.code());
        assertTrue(versionText("3").contains("Rollback to version 1"), versionText("3"));
    }

    @Test
    void save_afterSomeoneElseSaved_showsTheConflict_insteadOfOverwriting() {
        save("shared", V1, "");
        open("shared");
        String theirs = V1 + "\n// a colleague's change\n";
        save("shared", theirs, "colleague");

        String mine = V1 + "\n// my change\n";
        browser.setCode(mine);
        driver.findElement(By.id("save-library")).click();

        WebElement conflict = browser.waitFor(By.id("conflict"));
        assertTrue(conflict.getText().contains("Changed meanwhile: not saved"), conflict.getText());
        assertTrue(conflict.getText().contains("version 2"), conflict.getText());
        browser.waitFor(By.cssSelector("#conflict .CodeMirror-merge"));
        assertEquals(theirs, serverCode("shared"), "nothing was overwritten");

        driver.findElement(By.id("conflict-save-mine")).click();
        browser.waitUntil("saved over theirs", () -> mine.equals(serverCode("shared")));
        browser.waitUntil("the history shows it", () -> versions().equals(List.of("3", "2", "1")));

        save("shared", V2, "again");
        browser.setCode(mine + "// more\n");
        driver.findElement(By.id("save-library")).click();
        browser.waitFor(By.id("conflict-take-theirs")).click();
        browser.waitUntil("took theirs", () -> V2.equals(browser.code()));
        assertEquals(V2, serverCode("shared"));
        assertTrue(driver.findElements(By.id("conflict")).isEmpty());
    }
}
