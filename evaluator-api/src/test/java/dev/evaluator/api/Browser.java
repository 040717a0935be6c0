package dev.evaluator.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver: one fresh browser (and profile) per test.
 * Nothing is ever downloaded: the driver and browser executables are given explicitly, so Selenium Manager is never
 * asked for them. A missing browser or driver fails the test with the packages to install.
 * <p>
 * After each test: on failure, a screenshot and the browser's log go under {@code target/browser-failures/}; on
 * success, the test still fails if the browser logged an error (a JavaScript exception, a Content-Security-Policy
 * violation, a failed asset), other than the console's own expected 4xx API answers, which Chromium logs too.
 */
final class Browser implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Dimension DESKTOP = new Dimension(1280, 800);
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Chromium logs every non-2xx fetch; the tests provoke 4xx answers on purpose and the console shows them. */
    private static final Pattern EXPECTED_API_ANSWER = Pattern.compile(
            "/(evaluator/v1/libraries|query/service|whoami)\\S* - Failed to load resource: the server responded with"
                    + " a status of 4\\d\\d");

    private final Path failures = Path.of("target", "browser-failures");
    private ChromeDriver driver;
    private Path profile;

    /** Fail (never skip) when the browser or its driver is missing, naming the packages that provide them. */
    static void requireInstalled() {
        List<String> missing = Stream.of(CHROMIUM, CHROMEDRIVER).filter(p -> !Files.isExecutable(p))
                .map(Path::toString).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The admin console's browser tests need Debian's Chromium and its driver;"
                    + " missing " + missing + ". Install them with: apt-get install -y chromium chromium-driver");
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        requireInstalled();
        // Belt and braces: with an explicit executable Selenium does not consult Selenium Manager.
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        profile = Files.createTempDirectory("evaluator-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                "--window-size=" + DESKTOP.width + "," + DESKTOP.height);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
        viewport(DESKTOP.width, DESKTOP.height, false);
    }

    /**
     * Make the page's viewport exactly this size (the window size would include the browser's own bars); mobile
     * also emulates a phone's overlay scroll bars and viewport handling.
     */
    void viewport(int width, int height, boolean mobile) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", 1, "mobile", mobile));
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws IOException {
        if (driver == null) {
            return;
        }
        List<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll();
        if (context.getExecutionException().isPresent()) {
            Files.createDirectories(failures);
            String name = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
            Files.write(failures.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
            Files.writeString(failures.resolve(name + ".log"), driver.getCurrentUrl() + "\n"
                    + String.join("\n", entries.stream().map(LogEntry::toString).toList()));
            return;
        }
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : entries) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()
                    && !EXPECTED_API_ANSWER.matcher(entry.getMessage()).find()) {
                errors.add(entry.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("The browser logged errors: " + errors);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            if (driver != null) {
                driver.quit();
            }
        } finally {
            driver = null;
            if (profile != null) {
                try (Stream<Path> files = Files.walk(profile)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    WebDriver driver() {
        return driver;
    }

    /** Save a screenshot of the page as it is (for the README). */
    void screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    WebElement waitFor(By by) {
        return new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void waitUntilGone(By by) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.invisibilityOfElementLocated(by));
    }

    /**
     * Wait for a condition. An element it read that the page replaced meanwhile (a list re-rendered by its refresh)
     * means "look again", not a failure.
     */
    void waitUntil(String description, java.util.function.Supplier<Boolean> condition) {
        new WebDriverWait(driver, WAIT).withMessage(description)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> condition.get());
    }

    Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Replace the editor's whole text, as pasting it would. */
    void setCode(String code) {
        script("document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0]);", code);
    }

    String code() {
        return (String) script("return document.querySelector('.CodeMirror').CodeMirror.getValue();");
    }

    /**
     * The viewport's width, the page's scroll width, and (to find the culprit when they differ) elements reaching
     * past the viewport's right edge, including those inside scrolling containers, which do not widen the page.
     */
    Map<String, Object> layout() {
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>) script("""
                const width = document.documentElement.clientWidth;
                const beyond = [...document.querySelectorAll('body *')]
                  .filter(e => e.getBoundingClientRect().right > width + 0.5)
                  .slice(0, 8).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);
                return {width, scrollWidth: document.documentElement.scrollWidth, beyond};
                """);
        return size;
    }

    WebElement waitForPresent(By by) {
        return new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(by));
    }
}
