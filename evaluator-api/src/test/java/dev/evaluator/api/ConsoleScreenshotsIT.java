package dev.evaluator.api;

import java.nio.file.Path;
import java.util.List;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's pictures of the console, taken from a real server with sample libraries at 1280x800, after checking
 * that they show what they claim. They land in {@code target/console-screenshots/}; copy them to {@code docs/}
 * when the console's look changes.
 */
class ConsoleScreenshotsIT {
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final String LIBS = TestServer.LIBRARIES;

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass();

    @RegisterExtension
    final Browser browser = new Browser();

    @BeforeAll
    static void start() {
        Browser.requireInstalled();
        library("/math", """
                /** Adds two numbers. */
                function add(a, b) {
                  return a + b;
                }

                /** Subtracts b from a. */
                function sub(a, b) {
                  return a - b;
                }
                """);
        library("/strings", """
                /** The text with its first letter in upper case. */
                function capitalize(text) {
                  return text.charAt(0).toUpperCase() + text.slice(1);
                }
                """);
        library("/science?bucket=travel-sample&scope=inventory", """
                /** Fahrenheit to Celsius. */
                function f2c(f) {
                  return (5 / 9) * (f - 32);
                }

                /** Celsius to Fahrenheit. */
                function c2f(c) {
                  return c * 9 / 5 + 32;
                }
                """);
        library("/brewing?bucket=beer-sample&scope=brewery", """
                /** Alcohol by volume from the original and final gravity. */
                function abv(og, fg) {
                  return (og - fg) * 131.25;
                }
                """);
        server.admin().contentType("application/x-www-form-urlencoded")
                .formParam("statement", "CREATE FUNCTION celsius(f) LANGUAGE JAVASCRIPT AS \"f2c\" AT \"./science\"")
                .formParam("query_context", "default:`travel-sample`.inventory")
                .post(QueryService.PATH).then().statusCode(200);
    }

    @Test
    void librariesPage() {
        WebDriver driver = signIn();
        browser.waitFor(By.cssSelector("#libraries-table tr[data-library='science']"));
        List<String> rows = driver.findElements(By.cssSelector("#libraries-table tbody tr[data-library]")).stream()
                .map(r -> r.getDomAttribute("data-library")).toList();
        assertEquals(List.of("brewing", "math", "science", "strings"), rows);
        browser.screenshot(SCREENSHOTS.resolve("console-libraries.png"));
    }

    @Test
    void editorWithSyntaxErrorMarked() {
        WebDriver driver = signIn();
        driver.get(baseUrl() + "#/library?ns=global&name=math");
        browser.waitFor(By.cssSelector("#functions-list li[data-function='sub']"));
        // Delete the closing parenthesis of sub's parameter list, as a slip of the keyboard would.
        browser.script("const cm = document.querySelector('.CodeMirror').CodeMirror;"
                + " cm.replaceRange('', {line: 6, ch: 17}, {line: 6, ch: 18});");
        new Actions(driver).click(driver.findElement(By.cssSelector(".CodeMirror-code")))
                .keyDown(Keys.CONTROL).sendKeys("s").keyUp(Keys.CONTROL).perform();
        WebElement error = browser.waitFor(By.id("syntax-error"));
        assertEquals("7", error.getDomAttribute("data-line"), error.getText());
        assertTrue(browser.code().contains("function sub(a, b {"));
        browser.script("document.activeElement.blur();");
        browser.screenshot(SCREENSHOTS.resolve("console-editor-syntax-error.png"));
    }

    private WebDriver signIn() {
        WebDriver driver = browser.driver();
        driver.get(baseUrl());
        browser.waitFor(By.id("sign-in-user")).sendKeys(TestServer.ADMIN);
        driver.findElement(By.id("sign-in-password")).sendKeys(TestServer.PASSWORD, Keys.ENTER);
        browser.waitFor(By.id("account-name"));
        return driver;
    }

    private static String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/ui/";
    }

    private static void library(String path, String code) {
        server.admin().body(code).post(LIBS + path).then().statusCode(200);
    }
}
