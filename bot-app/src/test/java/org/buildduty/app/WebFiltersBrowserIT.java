package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code /} and {@code /runbooks} in Debian's headless Chromium against a bot run from its jar: the filter form
 * (state, requester, runbook, a parameter value, a date range) submitted from the keyboard, a failed operation in
 * red, a pending one listed first and once, the runbooks page reached from the header, and both pages in one column
 * at a phone's width. Screenshots are kept in {@code target/screenshots/}.
 */
class WebFiltersBrowserIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String RED = "rgba(198, 40, 40, 1)";

    @TempDir
    Path dir;

    @Test
    void filtersSearchAndTheRunbooksPageInHeadlessChromium() throws Exception {
        assertThat(CHROMIUM).as("Debian package chromium (./scripts/test installs it)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian package chromium-driver (./scripts/test installs it)").isExecutable();
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/greet.yml"), """
                name: greet
                description: says hello
                role: anyone
                params: { who: { type: string, default: world, description: whom to greet } }
                steps:
                  - name: greet
                    local: { command: "echo hello {{who}}" }
                """);
        Files.writeString(dir.resolve("runbooks/gated.yml"), """
                name: gated
                description: waits for a second person
                role: anyone
                approval: { role: releng, required: 1, self_approve: false, timeout: 1h }
                exclusive: none
                locks: [deploys]
                on_conflict: refuse
                steps:
                  - name: one
                    local: { command: "true" }
                """);
        BotFiles.localRunbook(dir, "broken", "always fails", "exit 3");
        BotFiles.consoleConfig(dir, "127.0.0.1:0", "roles: { releng: [\"console:someone\"] }\n");
        try (BotProcess bot = BotProcess.start(dir, "buildduty.yml")) {
            String base = WebBrowserIT.baseUrl(bot, dir.resolve("buildduty.log"));
            bot.type("run greet --who alice-4f2a");
            bot.expect("greet #1 [############] 1/1 steps · succeeded", WAIT);
            bot.type("run greet --who bob");
            bot.expect("greet #2 [############] 1/1 steps · succeeded", WAIT);
            bot.type("run broken");
            bot.expect("broken #3", WAIT);
            bot.type("run gated");
            bot.expect("gated #4", WAIT);

            ChromeDriver browser = chromium();
            try {
                WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(100));
                browser.get(base + "/?state=failed");
                wait.until(d -> rows(browser).size() == 1);
                browser.get(base + "/");
                // the pending one first and once, then the ended ones newest first
                assertThat(rows(browser)).containsExactly("4", "3", "2", "1");
                WebElement failed = browser.findElement(By.cssSelector("tr[data-op='3'] td.state"));
                assertThat(failed.getText()).isEqualTo("failed");
                assertThat(failed.getCssValue("color")).isEqualTo(RED);
                shot(browser, "web-index.png");

                // every control of the form is reached with Tab, in order
                List<String> focused = tabThrough(browser, 20);
                assertThat(focused).containsSubsequence("nav-ops", "nav-runbooks", "f-kind", "f-requester",
                        "f-state", "f-from", "f-to", "f-q", "f-submit");

                // state, from the keyboard: the form is a plain GET, no script involved
                new Select(browser.findElement(By.id("f-state"))).selectByValue("failed");
                browser.findElement(By.id("f-q")).sendKeys(Keys.ENTER);
                wait.until(d -> d.getCurrentUrl().contains("state=failed"));
                assertThat(rows(browser)).containsExactly("3");
                browser.findElement(By.id("f-clear")).click();

                // a parameter value
                wait.until(d -> d.getCurrentUrl().equals(base + "/"));
                browser.findElement(By.id("f-q")).sendKeys("alice-4f2a", Keys.ENTER);
                wait.until(d -> d.getCurrentUrl().contains("q=alice-4f2a"));
                assertThat(rows(browser)).containsExactly("1");
                assertThat(browser.findElement(By.id("f-q")).getAttribute("value")).isEqualTo("alice-4f2a");
                shot(browser, "web-index-search.png");

                // runbook and requester
                browser.get(base + "/");
                browser.findElement(By.id("f-kind")).sendKeys("greet");
                browser.findElement(By.id("f-requester")).sendKeys("local", Keys.ENTER);
                wait.until(d -> d.getCurrentUrl().contains("kind=greet"));
                assertThat(rows(browser)).containsExactly("2", "1");
                browser.get(base + "/?requester=someone-else");
                assertThat(browser.findElement(By.id("ops-empty")).getText()).isEqualTo("no operation");

                // a date range: today holds all four, up to yesterday none
                LocalDate today = LocalDate.now(ZoneOffset.UTC);
                browser.get(base + "/");
                setDate(browser, "f-from", today);
                setDate(browser, "f-to", today);
                browser.findElement(By.id("f-submit")).click();
                wait.until(d -> d.getCurrentUrl().contains("from=" + today));
                assertThat(rows(browser)).containsExactly("4", "3", "2", "1");
                browser.get(base + "/?to=" + today.minusDays(1));
                assertThat(rows(browser)).isEmpty();

                // the runbooks page, from the header
                browser.get(base + "/");
                browser.findElement(By.id("nav-runbooks")).click();
                wait.until(d -> d.getCurrentUrl().endsWith("/runbooks"));
                String greet = browser.findElement(By.id("rb-greet")).getText();
                assertThat(greet).contains("says hello").contains("--who").contains("whom to greet")
                        .contains("2 ended, 100% succeeded");
                String gated = browser.findElement(By.id("rb-gated")).getText();
                assertThat(gated).contains("1 of releng (not the requester), expires after 1h")
                        .contains("exclusive: none; locks: deploys; on_conflict: refuse").contains("1 not ended");
                assertThat(browser.findElement(By.id("rb-broken")).getText()).contains("1 ended, 0% succeeded");
                assertThat(browser.findElement(By.cssSelector("#rb-broken .last-runs .state")).getCssValue("color"))
                        .isEqualTo(RED);
                shot(browser, "web-runbooks.png");

                // a phone: one column
                browser.manage().window().setSize(new Dimension(390, 1600));
                browser.get(base + "/");
                assertThat(browser.findElement(By.cssSelector("table.ops td")).getCssValue("display"))
                        .isEqualTo("block");
                assertThat(browser.findElement(By.id("filters")).getCssValue("flex-direction")).isEqualTo("column");
                Object wide = ((JavascriptExecutor) browser).executeScript(
                        "return document.documentElement.scrollWidth > window.innerWidth + 1;");
                assertThat(wide).as("no sideways scrolling").isEqualTo(false);
                shot(browser, "web-index-phone.png");
                browser.get(base + "/runbooks");
                shot(browser, "web-runbooks-phone.png");
            } finally {
                browser.quit();
            }
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    /** The ids of the listed operations, in order. */
    private static List<String> rows(ChromeDriver browser) {
        return browser.findElements(By.cssSelector("#ops tbody tr")).stream().map(r -> r.getAttribute("data-op"))
                .toList();
    }

    /** The ids of the elements Tab focuses, from the top of the page. */
    private static List<String> tabThrough(ChromeDriver browser, int presses) {
        List<String> ids = new ArrayList<>();
        browser.navigate().refresh();
        for (int i = 0; i < presses; i++) {
            new Actions(browser).sendKeys(Keys.TAB).perform();
            ids.add(browser.switchTo().activeElement().getAttribute("id"));
        }
        return ids;
    }

    /** A date input's value, as a date picker would set it (typing into one depends on the browser's locale). */
    private static void setDate(ChromeDriver browser, String id, LocalDate day) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1];",
                browser.findElement(By.id(id)), day.toString());
    }

    private static void shot(ChromeDriver browser, String name) throws IOException {
        Path shots = Path.of("target", "screenshots");
        Files.createDirectories(shots);
        Path shot = shots.resolve(name);
        Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(shot)).isGreaterThan(1000);
    }

    /** Headless Debian Chromium; nothing is downloaded and no background network is used. */
    private ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1600", "--user-data-dir=" + dir.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        return new ChromeDriver(service, options);
    }
}
