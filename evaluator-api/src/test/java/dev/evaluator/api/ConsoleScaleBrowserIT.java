package dev.evaluator.api;

import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Libraries page of a server with 100,000 libraries in 1,000 namespaces, in Chromium: it shows the first page
 * (not all of them), finds by the filter what is not loaded yet (asked of the server), and loads more on request.
 * The store is filled in one transaction before the server starts, so the test spends its time in the browser.
 */
class ConsoleScaleBrowserIT {
    private static final int LIBRARIES = 100_000;

    @RegisterExtension
    static final ServerExtension server = ServerExtension.perClass(dir -> {
        try (RocksDbStore store = RocksDbStore.open(dir)) {
            store.transact(tx -> {
                for (int i = 0; i < LIBRARIES; i++) {
                    int ns = i % 1000;
                    tx.upsertLibrary(new LibraryId(Namespace.scoped("b" + ns % 100, "s" + ns / 100), "lib" + i),
                            "function add" + i + "(a, b) { return a + b; }\nfunction mul(a, b) { return a * b; }\n"
                                    + "// padding padding padding padding padding padding padding padding padding\n",
                            OptionalInt.of(2));
                }
                return null;
            });
        }
        return TestServer.start(dir);
    });

    @RegisterExtension
    final Browser browser = new Browser();

    @BeforeAll
    static void requireBrowser() {
        Browser.requireInstalled();
    }

    /** The table's library names, read in one script (the table is redrawn while the page loads). */
    @SuppressWarnings("unchecked")
    private List<String> rows(WebDriver driver) {
        return (List<String>) browser.script("return [...document.querySelectorAll("
                + "'#libraries-table tbody tr[data-library]')].map(row => row.dataset.library);");
    }

    @Test
    void librariesPage_100kLibraries_firstPageThenFilterOnTheServerThenMore() {
        WebDriver driver = browser.driver();
        driver.get("http://127.0.0.1:" + server.port() + "/ui/");
        browser.waitFor(By.id("sign-in-user")).sendKeys(TestServer.ADMIN);
        long started = System.nanoTime();
        driver.findElement(By.id("sign-in-password")).sendKeys(TestServer.PASSWORD, Keys.ENTER);
        browser.waitUntil("the first page", () -> rows(driver).size() == 500);
        long shownMs = (System.nanoTime() - started) / 1_000_000;
        // A figure for the README, not a timed assertion (shared machines are noisy).
        System.out.println("ConsoleScaleBrowserIT: sign-in to the first 500 of " + LIBRARIES + " libraries shown in "
                + shownMs + " ms");
        assertEquals("500 of the first 500 libraries (more on the server)",
                driver.findElement(By.id("library-summary")).getText());
        assertTrue(driver.findElement(By.id("load-more")).isDisplayed());

        // lib99999 is far beyond the first page: the filter finds it on the server.
        driver.findElement(By.id("library-filter")).sendKeys("lib9999");
        browser.waitUntil("the server's matches", () -> rows(driver).contains("lib99999"));
        List<String> found = rows(driver);
        assertEquals(11, found.size(), found.toString());
        assertTrue(found.stream().allMatch(name -> name.startsWith("lib9999")), found.toString());
        assertEquals("11 of 11 libraries", driver.findElement(By.id("library-summary")).getText());
        assertTrue(!driver.findElement(By.id("load-more")).isDisplayed());

        driver.findElement(By.id("library-filter")).clear();
        driver.findElement(By.id("library-filter")).sendKeys(" ", Keys.BACK_SPACE);
        browser.waitUntil("the first page again", () -> rows(driver).size() == 500);
        driver.findElement(By.id("load-more")).click();
        browser.waitUntil("the second page", () -> rows(driver).size() == 1000);
        assertEquals("1000 of the first 1000 libraries (more on the server)",
                driver.findElement(By.id("library-summary")).getText());
    }
}
