package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real browser: Debian's headless Chromium, driven through Debian's chromedriver, opens
 * {@code /ops/1} of an operation that is still printing, sees its lines arrive without a reload, then the final state.
 * A screenshot is kept in {@code target/screenshots/} as a test artefact.
 */
class WebBrowserIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Pattern WEB = Pattern.compile("web page on (http://127\\.0\\.0\\.1:\\d+)/");
    private static final int LINES = 30;

    @TempDir
    Path dir;

    @Test
    void liveLogOfARunningOperationInHeadlessChromium() throws Exception {
        assertThat(CHROMIUM).as("Debian package chromium (./scripts/test installs it)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian package chromium-driver (./scripts/test installs it)").isExecutable();
        BotFiles.localRunbook(dir, "count", "prints a line every 0.2 s",
                "for i in $(seq 1 " + LINES + "); do echo \\\"tick $i\\\"; sleep 0.2; done");
        BotFiles.consoleConfig(dir, "127.0.0.1:0", "");
        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            String base = baseUrl(bot, dir.resolve("buildduty.log"));
            bot.type("run count");
            bot.expect("tick 3", WAIT);

            ChromeDriver browser = chromium();
            try {
                browser.get(base + "/ops/1");
                JavascriptExecutor js = browser;
                js.executeScript("window.buildduty_marker = 'same page';");
                WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(50));
                wait.until(d -> lines(browser).size() >= 3);
                int seen = lines(browser).size();
                assertThat(seen).as("still running when first seen").isLessThan(LINES);
                assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("running");
                wait.until(d -> lines(browser).size() > seen);

                wait.until(d -> "ended".equals(d.findElement(By.id("stream-status")).getText()));
                assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("succeeded");
                List<String> texts = lines(browser).stream().map(WebElement::getText).toList();
                assertThat(texts).hasSize(LINES).startsWith("tick 1", "tick 2").endsWith("tick " + LINES);
                assertThat(js.executeScript("return window.buildduty_marker;"))
                        .as("the page was never reloaded").isEqualTo("same page");
                assertThat(browser.findElement(By.id("hosts")).getText()).contains("local").contains("succeeded");
                assertThat(browser.findElement(By.id("ended")).getText()).as("updated live").isNotEmpty();

                Path shots = Path.of("target", "screenshots");
                Files.createDirectories(shots);
                Path shot = shots.resolve("web-ops-live-log.png");
                Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
                assertThat(Files.size(shot)).isGreaterThan(1000);
            } finally {
                browser.quit();
            }
            bot.expect("count #1", WAIT);
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    private static List<WebElement> lines(ChromeDriver browser) {
        return browser.findElements(By.cssSelector("#log .line"));
    }

    /** The address the bot logged for its web page (it listens on a port the system picked). */
    static String baseUrl(BotProcess bot, Path logFile) throws InterruptedException, IOException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            List<String> log = Files.exists(logFile) ? Files.readAllLines(logFile) : List.of();
            for (String line : concat(concat(bot.stdout(), bot.stderr()), log)) {
                Matcher m = WEB.matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the bot never logged \"web page on http://...\"; stderr: " + bot.stderr());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Headless Debian Chromium; nothing is downloaded and no background network is used. */
    private ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,2400", "--user-data-dir=" + dir.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        return new ChromeDriver(service, options);
    }
}
