package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.buildduty.exec.testing.Sshd;

/**
 * The operation page in a real browser: Debian's headless Chromium, driven through Debian's chromedriver, against the
 * real jar whose inventory is aliases of one real sshd. One bot, one sshd and one browser serve every test:
 * <ol>
 * <li>{@code three} on bm01..bm03 (bm02 fails its second step with exit 3), seen while it runs: the first step folds
 *     when it succeeds, lines arrive without a reload, each with its time and host; then the red bar, the failed host
 *     first with its last lines, the folded step opened with the keyboard, and the host and "failed only" filters
 *     through the form;</li>
 * <li>{@code fanout} on m01..m50 at once (m37 fails), in two tabs opened while it runs: "failed only" shows m37's
 *     lines once it failed, one host only m37's; the whole page has both lines of every host, each labelled, and
 *     reads in one column at phone width.</li>
 * </ol>
 * Screenshots are kept in {@code target/screenshots/} as test artefacts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebBrowserIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Pattern WEB = Pattern.compile("web page on (http://127\\.0\\.0\\.1:\\d+)/");
    private static final Pattern CLOCK = Pattern.compile("\\d\\d:\\d\\d:\\d\\d");
    private static final int TICKS = 12;
    private static final int FLEET = 50;
    private static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path dir;

    private static Sshd sshd;
    private static BotProcess bot;
    private static String base;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        assertThat(CHROMIUM).as("Debian package chromium (./scripts/test installs it)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian package chromium-driver (./scripts/test installs it)").isExecutable();
        sshd = Sshd.start(dir.resolve("sshd"));
        Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/three.yml"), """
                name: three
                role: anyone
                description: two steps on three hosts; bm02 fails the second
                params: { hosts: { type: group, default: trio } }
                steps:
                  - name: prepare
                    ssh: { hosts: "{{hosts}}", parallel: 3, command: "echo prepared {{host}}; sleep 3" }
                  - name: work
                    ssh:
                      hosts: "{{hosts}}"
                      parallel: 3
                      command: |
                        for i in $(seq 1 %d); do echo tick $i on {{host}}; sleep 0.4; done
                        if [ {{host}} = bm02 ]; then echo "bm02 broke" >&2; exit 3; fi
                    on_host_failure: continue
                """.formatted(TICKS));
        Files.writeString(dir.resolve("runbooks/fanout.yml"), """
                name: fanout
                role: anyone
                description: one step on fifty masters at once; m37 fails
                params: { masters: { type: group, default: fleet } }
                steps:
                  - name: reconfig
                    ssh:
                      hosts: "{{masters}}"
                      parallel: 50
                      command: |
                        echo starting on {{host}}
                        sleep 4
                        if [ {{host}} = m37 ]; then echo "config error on m37" >&2; exit 2; fi
                        echo done on {{host}}
                    on_host_failure: continue
                """);
        StringBuilder hosts = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            hosts.append(host("bm0" + i, "trio"));
        }
        for (int i = 1; i <= FLEET; i++) {
            hosts.append(host(String.format("m%02d", i), "fleet"));
        }
        BotFiles.consoleConfig(dir, "127.0.0.1:0", """
                inventory:
                  ssh: { known_hosts: known_hosts, key_file: "%s", user: %s, connect_timeout: 20s, keepalive: 5s }
                  hosts:
                """.formatted(sshd.clientKey(), sshd.user()) + hosts);
        bot = BotProcess.start(dir, "buildduty.yml");
        base = baseUrl(bot, dir.resolve("buildduty.log"));
        browser = chromium();
        Files.createDirectories(SHOTS);
    }

    private static String host(String name, String group) {
        return "    " + name + ": { address: 127.0.0.1, port: " + sshd.port() + ", groups: [" + group + "] }\n";
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
            if (bot != null) {
                assertThat(bot.endInput(WAIT)).isZero();
            }
        } finally {
            if (sshd != null) {
                sshd.close();
            }
        }
    }

    @Test
    @Order(1)
    void threeHostsLiveWithHostsAndTimesThenFoldingAndFilters() throws Exception {
        bot.type("run three");
        bot.expect("prepared bm0", WAIT);
        browser.get(base + "/ops/1");
        JavascriptExecutor js = browser;
        js.executeScript("window.buildduty_marker = 'same page';");
        WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(50));
        // the first step, still running, is open; once it succeeds the live view folds it
        WebElement first = browser.findElement(By.id("step-0"));
        assertThat(first.findElement(By.cssSelector(".step-state")).getText()).isEqualTo("running");
        assertThat(first.getDomProperty("open")).isEqualTo("true");
        wait.until(d -> "succeeded".equals(first.findElement(By.cssSelector(".step-state")).getAttribute(
                "textContent")));
        wait.until(d -> "false".equals(first.getDomProperty("open")));
        wait.until(d -> lines().stream().filter(WebElement::isDisplayed).count() >= 3);
        // the live view labels each line with its time and host: "12:00:05 bm02 tick 3 on bm02", not "tick 3 on bm02"
        assertThat(lines().stream().filter(WebElement::isDisplayed).map(WebElement::getText).toList())
                .allSatisfy(t -> assertThat(t)
                .matches(CLOCK.pattern() + " (bm0\\d) (tick \\d+ on|prepared) \\1"));
        int seen = lines().size();
        assertThat(seen).as("still running when first seen").isLessThan(3 * TICKS + 3);
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("running");
        wait.until(d -> lines().size() > seen);

        wait.until(d -> "ended".equals(d.findElement(By.id("stream-status")).getText()));
        assertThat(js.executeScript("return window.buildduty_marker;")).as("the page was never reloaded")
                .isEqualTo("same page");
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("failed");
        assertThat(browser.findElement(By.id("progress")).getAttribute("class")).isEqualTo("bad");
        assertThat(browser.findElement(By.id("failed-count")).getText()).isEqualTo("1 failed");
        assertThat(browser.findElement(By.id("ended")).getText()).as("updated live").isNotEmpty();

        // every line of the work step has its time and host: "12:00:05 bm02 tick 3 on bm02"
        List<WebElement> work = browser.findElements(By.cssSelector("#step-1 .line"));
        assertThat(work).hasSize(3 * TICKS + 1);
        for (WebElement l : work) {
            String host = l.findElement(By.cssSelector(".host")).getText();
            assertThat(host).isIn("bm01", "bm02", "bm03");
            assertThat(l.findElement(By.tagName("time")).getText()).matches(CLOCK);
            assertThat(l.getText()).matches(CLOCK.pattern() + " " + host + " (tick \\d+ on " + host + "|bm02 broke)");
        }
        assertThat(hostsOf(work)).containsExactly("bm01", "bm02", "bm03");

        // the failed host first, with its exit code and last lines
        WebElement failed = browser.findElement(By.cssSelector("#failed-list li"));
        assertThat(failed.getText()).contains("bm02").contains("step 2 work").contains("exit 3")
                .contains("tick " + TICKS + " on bm02").contains("bm02 broke");
        assertThat(browser.findElement(By.id("failed-hosts")).getLocation().getY())
                .isLessThan(browser.findElement(By.id("step-0")).getLocation().getY());

        // the succeeded step is folded, the failed one open; the keyboard opens the folded one
        WebElement prepare = browser.findElement(By.id("step-0"));
        assertThat(prepare.getDomProperty("open")).isEqualTo("false");
        assertThat(browser.findElement(By.id("step-1")).getDomProperty("open")).isEqualTo("true");
        assertThat(prepare.findElement(By.cssSelector(".step-hosts")).getText()).isEqualTo("3 ok of 3 hosts");
        assertThat(browser.findElement(By.cssSelector("#step-1 .step-hosts")).getText())
                .isEqualTo("2 ok, 1 failed of 3 hosts");
        assertThat(prepare.findElement(By.cssSelector(".line")).isDisplayed()).isFalse();
        prepare.findElement(By.tagName("summary")).sendKeys(Keys.ENTER);
        wait.until(d -> "true".equals(prepare.getDomProperty("open")));
        assertThat(prepare.findElements(By.cssSelector(".line"))).hasSize(3)
                .allSatisfy(l -> assertThat(l.isDisplayed()).isTrue());
        shot("web-ops-three-hosts.png");

        // the host filter, through the form: only bm03's lines and runs
        new Select(browser.findElement(By.id("host-filter"))).selectByVisibleText("bm03");
        browser.findElement(By.cssSelector("#filter button")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/ops/1?host=bm03"));
        wait.until(d -> "ended".equals(d.findElement(By.id("stream-status")).getText()));
        assertThat(hostsOf(browser.findElements(By.cssSelector("#log .line")))).containsExactly("bm03");
        assertThat(browser.findElements(By.cssSelector("#step-1 .line"))).hasSize(TICKS);
        assertThat(browser.findElements(By.cssSelector("#hosts-1 tbody tr"))).hasSize(1);

        // failed only, every host
        new Select(browser.findElement(By.id("host-filter"))).selectByVisibleText("all hosts");
        browser.findElement(By.id("failed-filter")).click();
        browser.findElement(By.cssSelector("#filter button")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/ops/1?host=&failed=1"));
        wait.until(d -> "ended".equals(d.findElement(By.id("stream-status")).getText()));
        assertThat(hostsOf(browser.findElements(By.cssSelector("#log .line")))).containsExactly("bm02");
        assertThat(browser.findElements(By.cssSelector("#step-1 .line"))).hasSize(TICKS + 1);
        bot.expect("three #1", WAIT);
    }

    @Test
    @Order(2)
    void fiftyHostFanOutLiveFilteredThenWholeAndOnAPhone() throws Exception {
        bot.type("run fanout");
        bot.expect("starting on m", WAIT);
        WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(50));
        // the live view honours the filters: in one tab "failed only", in another only m37, both opened while the
        // hosts run; "failed only" shows a host's lines once it failed, from its first one
        browser.get(base + "/ops/2?failed=1");
        String failedOnly = browser.getWindowHandle();
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("running");
        browser.switchTo().newWindow(WindowType.TAB);
        browser.get(base + "/ops/2?host=m37");
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("running");
        wait.until(d -> "ended".equals(d.findElement(By.id("stream-status")).getText()));
        List<WebElement> only = lines();
        assertThat(hostsOf(only)).containsExactly("m37");
        assertThat(only).extracting(l -> l.findElement(By.cssSelector(".text")).getText())
                .containsExactly("starting on m37", "config error on m37");
        assertThat(browser.findElement(By.cssSelector("#failed-list li")).getText()).contains("m37")
                .contains("exit 2").contains("config error on m37");
        browser.close();
        browser.switchTo().window(failedOnly);
        wait.until(d -> "ended".equals(d.findElement(By.id("stream-status")).getText()));
        List<WebElement> shown = lines().stream().filter(WebElement::isDisplayed).toList();
        assertThat(shown).extracting(l -> l.findElement(By.cssSelector(".text")).getText())
                .containsExactly("starting on m37", "config error on m37");
        assertThat(hostsOf(shown)).containsExactly("m37");
        assertThat(browser.findElement(By.cssSelector("#failed-list li")).getText()).contains("m37")
                .contains("exit 2").contains("starting on m37\nconfig error on m37");

        browser.get(base + "/ops/2");
        wait.until(d -> "ended".equals(d.findElement(By.id("stream-status")).getText()));
        List<WebElement> all = lines();
        assertThat(all).hasSize(2 * FLEET);
        Set<String> hosts = hostsOf(all);
        assertThat(hosts).hasSize(FLEET).contains("m01", "m37", "m50");
        assertThat(all).allSatisfy(l -> assertThat(l.findElement(By.tagName("time")).getText()).matches(CLOCK));
        assertThat(browser.findElement(By.id("state")).getText()).isEqualTo("failed");
        assertThat(browser.findElement(By.cssSelector("#step-0 .step-hosts")).getText())
                .isEqualTo("49 ok, 1 failed of 50 hosts");
        assertThat(browser.findElements(By.cssSelector("#hosts-0 tbody tr"))).hasSize(FLEET);
        shot("web-ops-fanout-50.png");

        // a phone: one column, nothing wider than the screen
        browser.manage().window().setSize(new Dimension(390, 1600));
        try {
            browser.navigate().refresh();
            wait.until(d -> "ended".equals(d.findElement(By.id("stream-status")).getText()));
            JavascriptExecutor js = browser;
            Number page = (Number) js.executeScript("return document.documentElement.scrollWidth;");
            Number screen = (Number) js.executeScript("return window.innerWidth;");
            assertThat(page.intValue()).as("no sideways scrolling at 390 px").isLessThanOrEqualTo(screen.intValue());
            shot("web-ops-phone.png");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 2400));
        }
        bot.expect("fanout #2", WAIT);
    }

    private static List<WebElement> lines() {
        return browser.findElements(By.cssSelector("#log .line"));
    }

    private static Set<String> hostsOf(List<WebElement> lines) {
        Set<String> hosts = new TreeSet<>();
        for (WebElement l : lines) {
            hosts.add(l.findElement(By.cssSelector(".host")).getAttribute("textContent"));
        }
        return hosts;
    }

    private static void shot(String name) throws IOException {
        Path shot = SHOTS.resolve(name);
        Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(shot)).isGreaterThan(1000);
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
    private static ChromeDriver chromium() {
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
