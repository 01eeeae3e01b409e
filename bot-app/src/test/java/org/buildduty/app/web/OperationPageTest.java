package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.testing.TestBot;

/**
 * {@code /ops/<id>} without JavaScript: every line with its host and time in its step's section, steps folded when
 * they succeeded, failed hosts first with their exit code and last lines, a red bar, the queue, and the host and
 * "failed only" filters as query parameters that the plain log and the event stream honour too.
 */
class OperationPageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TIME = "<time datetime=\"\\d{4}-\\d\\d-\\d\\dT[^\"]+Z\" title=\"[^\"]+\">"
            + "\\d\\d:\\d\\d:\\d\\d</time>";

    private PageFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void everyLineShowsItsHostAndTimeInItsStepSection() {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!mixed");
        String page = f.getOk("/ops/" + id.value(), "text/html").body();

        String check = WebServerTest.section(page, "id=\"step-1\"", "</div>\n</details>");
        assertThat(check).containsPattern(Pattern.compile("<div class=\"line\" data-seq=\"\\d+\" data-run=\"1\\|bm01\">"
                + TIME + " <span class=\"host\">bm01</span> <span class=\"text\">checking bm01</span></div>"));
        assertThat(check).containsPattern(Pattern.compile("<div class=\"line stderr\" data-seq=\"\\d+\" data-run=\""
                + "1\\|bm02\">" + TIME + " <span class=\"host\">bm02</span> <span class=\"text\">boom on bm02</span>"));
        String prepare = WebServerTest.section(page, "id=\"step-0\"", "</div>\n</details>");
        assertThat(prepare).contains("<span class=\"host\">local</span> <span class=\"text\">preparing</span>")
                .contains("password is ***").doesNotContain(PageFixture.SECRET).doesNotContain("checking");
    }

    @Test
    void aSucceededStepIsFoldedAndAFailedOneOpenWithItsCounts() {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!mixed");
        String page = f.getOk("/ops/" + id.value(), "text/html").body();

        assertThat(page).contains("<details class=\"step succeeded\" id=\"step-0\" data-step=\"0\">\n<summary>"
                + "<span class=\"step-name\">1. prepare</span> <span class=\"step-state\">succeeded</span> "
                + "<span class=\"step-hosts\">1 ok of 1 host</span>");
        assertThat(page).contains("<details class=\"step failed\" id=\"step-1\" data-step=\"1\" open>\n<summary>"
                + "<span class=\"step-name\">2. check</span> <span class=\"step-state\">failed</span> "
                + "<span class=\"step-hosts\">2 ok, 1 failed of 3 hosts</span>");
        String hosts = WebServerTest.section(page, "id=\"hosts-1\"", "</table>");
        assertThat(WebServerTest.rows(hosts)).isEqualTo(3);
        assertThat(hosts).contains("<tr data-run=\"1|bm02\" class=\"failed\"><td><a href=\"?host=bm02\">bm02</a>"
                + "</td><td>failed</td><td>3</td>");
    }

    @Test
    void failedHostsComeFirstWithExitCodeAndLastLinesUnderARedBar() {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!mixed");
        String page = f.getOk("/ops/" + id.value(), "text/html").body();

        assertThat(page).contains("<span id=\"state\">failed</span>");
        assertThat(page).contains("<progress id=\"progress\" class=\"bad\" value=\"4\" max=\"4\"></progress>")
                .contains("<span id=\"failed-count\">1 failed</span>");
        assertThat(page.indexOf("id=\"failed-hosts\"")).isPositive().isLessThan(page.indexOf("id=\"step-0\""));
        String failed = WebServerTest.section(page, "id=\"failed-hosts\"", "</section>");
        assertThat(failed).contains("<a class=\"host\" href=\"?host=bm02\">bm02</a> <span class=\"failed-step\">"
                + "step 2 check</span>: <span class=\"failed-state\">failed, exit 3</span>")
                .contains("<pre class=\"last\">checking bm02\nboom on bm02</pre>")
                .doesNotContain("bm01").doesNotContain("bm03");

        String good = f.getOk("/ops/" + f.runToEnd("alice", "!quick").value(), "text/html").body();
        assertThat(good).contains("<progress id=\"progress\" value=\"3\" max=\"3\">")
                .contains("<section id=\"failed-hosts\" hidden>");

        // a line journaled before its secret was configured: the failed host's last lines redact it again
        f.bot.journal().output(id, 1, "bm02", OutputChannel.STDERR, "token " + PageFixture.SECRET,
                f.bot.ticker().now());
        for (String query : List.of("", "?failed=1", "?host=bm02")) {
            String again = f.getOk("/ops/" + id.value() + query, "text/html").body();
            assertThat(again).contains("boom on bm02\ntoken ***</pre>").doesNotContain(PageFixture.SECRET);
        }
    }

    @Test
    void theHostFilterShowsOneHostsRunsAndLines() {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!mixed");
        String page = f.getOk("/ops/" + id.value() + "?host=bm03", "text/html").body();

        String log = WebServerTest.section(page, "<div id=\"log\">", "<script");
        assertThat(log).contains("checking bm03").contains("bm03 fine").doesNotContain("checking bm01")
                .doesNotContain("boom on bm02").doesNotContain("preparing");
        assertThat(WebServerTest.rows(WebServerTest.section(page, "id=\"hosts-1\"", "</table>"))).isEqualTo(1);
        assertThat(page).contains("<option selected>bm03</option>").contains("data-host=\"bm03\"")
                .contains("<a id=\"plain\" href=\"/ops/" + id.value() + "/log?host=bm03\">")
                .contains("<section id=\"failed-hosts\" hidden>");

        assertThat(f.getOk("/ops/" + id.value() + "/log?host=bm03", "text/plain").body().lines())
                .allMatch(l -> l.contains("] bm03: ")).hasSize(2);
        List<String> streamed = PageFixture.events(f.getOk("/ops/" + id.value() + "/events?host=bm03",
                "text/event-stream").body()).stream().filter(e -> e.name().equals("line"))
                .map(e -> text(e.data())).toList();
        assertThat(streamed).containsExactly("checking bm03", "bm03 fine");
    }

    @Test
    void failedOnlyShowsTheFailedRunsAndTheirLines() {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!mixed");
        String page = f.getOk("/ops/" + id.value() + "?failed=1", "text/html").body();

        String log = WebServerTest.section(page, "<div id=\"log\">", "<script");
        assertThat(log).contains("checking bm02").contains("boom on bm02").doesNotContain("bm01 fine")
                .doesNotContain("bm03 fine").doesNotContain("preparing");
        assertThat(WebServerTest.rows(WebServerTest.section(page, "id=\"hosts-1\"", "</table>"))).isEqualTo(1);
        assertThat(WebServerTest.rows(WebServerTest.section(page, "id=\"hosts-0\"", "</table>"))).isZero();
        assertThat(page).contains("id=\"failed-filter\" checked>").contains("data-failed=\"1\"");
        assertThat(f.getOk("/ops/" + id.value() + "/log?failed=1", "text/plain").body().lines())
                .allMatch(l -> l.contains("] bm02: ")).hasSize(2);
        // a host name that is no name shows everything, escaped nowhere since it is dropped
        assertThat(f.getOk("/ops/" + id.value() + "?host=%3Cscript%3E%20x", "text/html").body())
                .doesNotContain("<script> x").contains("bm01 fine");
    }

    @Test
    void aQueuedOperationSaysWhatItIsQueuedBehind() {
        f = new PageFixture();
        OperationId holder = f.run("alice", "!serial");
        f.fake.awaitCalls(1, Duration.ofSeconds(5));
        OperationId queued = f.run("bob", "!serial");

        assertThat(f.getOk("/ops/" + queued.value(), "text/html").body()).contains("<p id=\"queue\" class=\"waiting\">"
                + "queued 0s behind " + holder + " (serial by alice, running 0s)</p>");
        assertThat(f.getOk("/ops/" + holder.value(), "text/html").body())
                .contains("<p id=\"queue\" class=\"waiting\" hidden></p>");
        f.fake.release("hold");
        f.awaitTerminal(queued);
    }

    @Test
    void aConfirmStepShowsItsWaitAndItsSection() {
        f = new PageFixture();
        OperationId id = f.run("alice", "!canary");
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (f.bot.api().pendingApproval(id).isEmpty() && System.nanoTime() < end) {
            f.bot.engine().tick();
            PageFixture.sleep(5);
        }
        String page = f.getOk("/ops/" + id.value(), "text/html").body();
        assertThat(page).contains("<span id=\"state\">waiting</span>")
                .containsPattern("<p id=\"confirm\" class=\"waiting\">waiting at step 2 &quot;canary ok\\?&quot; "
                        + "\\([^)]*\\): look at the dashboards</p>")
                .contains("<details class=\"step succeeded\" id=\"step-0\" data-step=\"0\">")
                .contains("<details class=\"step waiting\" id=\"step-1\" data-step=\"1\" open>")
                .contains("<details class=\"step not_started\" id=\"step-2\" data-step=\"2\" open>");

        f.bot.api().approve(id, new Identity(TestBot.CHAT, "bob"), TestBot.ROOM_ADDRESS);
        f.awaitTerminal(id);
        assertThat(f.getOk("/ops/" + id.value(), "text/html").body())
                .contains("<span id=\"state\">succeeded</span>").doesNotContain("id=\"confirm\"")
                .contains("<details class=\"step confirmed\" id=\"step-1\" data-step=\"1\">")
                .contains("<details class=\"step succeeded\" id=\"step-2\" data-step=\"2\">");
    }

    @Test
    void theStreamResumesAfterThePagesLastLine() {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!mixed");
        String page = f.getOk("/ops/" + id.value(), "text/html").body();
        var m = Pattern.compile("data-after=\"(\\d+)\"").matcher(page);
        assertThat(m.find()).isTrue();
        long after = Long.parseLong(m.group(1));
        assertThat(after).isPositive();
        assertThat(PageFixture.events(f.getOk("/ops/" + id.value() + "/events?after=" + after, "text/event-stream")
                .body())).extracting(PageFixture.Event::name).containsExactly("state", "end");
    }

    private static String text(String data) {
        try {
            JsonNode n = JSON.readTree(data);
            return n.get("text").asText();
        } catch (IOException e) {
            throw new AssertionError(data, e);
        }
    }
}
