package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.TestBot;

class WebServerTest {
    /** The room TestBot talks in: approvals count there. */
    private static final ChatAddress HERE = TestBot.ROOM_ADDRESS;

    private PageFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void indexListsPendingRunningAndFinishedOperationsNewestFirst() {
        f = new PageFixture();
        OperationId done = f.runToEnd("alice", "!quick");
        OperationId running = f.run("alice", "!slow");
        f.fake.awaitCalls(3, Duration.ofSeconds(5));
        OperationId pending = f.run("alice", "!deploy");

        HttpResponse<String> r = f.getOk("/", "text/html");
        String ops = section(r.body(), "id=\"ops\"", "</table>");
        assertThat(ops.indexOf("/ops/" + pending.value() + "\"")).isLessThan(ops.indexOf("/ops/" + running.value()
                + "\""));
        assertThat(ops.indexOf("/ops/" + running.value() + "\"")).isLessThan(ops.indexOf("/ops/" + done.value()
                + "\""));
        assertThat(ops).contains("pending approval").contains("1 more needed").contains("running")
                .contains("<td data-label=\"requester\" class=\"requester\">alice</td>").contains("succeeded")
                .contains("<progress value=\"3\" max=\"3\"></progress> <span class=\"count\">3/3</span>");
        assertThat(r.body()).doesNotContain("<script>alert").contains("&lt;script&gt;alert(&#39;x&#39;)")
                .doesNotContain("id=\"older\"");
    }

    @Test
    void aQueuedOperationShowsWhatItWaitsFor() {
        f = new PageFixture();
        OperationId holder = f.run("alice", "!serial");
        f.fake.awaitCalls(1, Duration.ofSeconds(5));
        OperationId queued = f.run("bob", "!serial");

        String active = section(f.getOk("/", "text/html").body(), "id=\"ops\"", "</table>");
        assertThat(active).contains("/ops/" + queued.value()).contains("queued <span class=\"waiting\">queued 0s "
                + "behind " + holder + " (serial by alice, running 0s)</span>");
        assertThat(f.get("/ops/" + queued.value()).body()).contains("queued behind " + holder
                + " (serial by alice, running 0s)");
        f.fake.release("hold");
        f.awaitTerminal(queued);
    }

    @Test
    void indexIsPagedByFifty() {
        f = new PageFixture();
        for (int i = 0; i < 60; i++) {
            OperationId id = f.bot.journal().nextOperationId();
            f.bot.journal().operationCreated(new Operation(id, new OperationPlan("op" + id.value(), Map.of(),
                    List.of(PageFixture.step("s", List.of())), ApprovalPolicy.NONE, "steps"),
                    new Identity(TestBot.CHAT, "carol"), ChatAddress.of(TestBot.CHAT, TestBot.ROOM),
                    Instant.parse("2026-01-01T00:00:00Z"), OperationState.QUEUED));
            f.bot.journal().operationState(id, OperationState.SUCCEEDED, Instant.parse("2026-01-01T00:01:00Z"),
                    "done");
        }
        String first = f.get("/").body();
        assertThat(rows(section(first, "id=\"ops\"", "</table>"))).isEqualTo(50);
        assertThat(first).contains("/ops/60\"").contains("/ops/11\"").doesNotContain("/ops/10\"")
                .contains("<a id=\"older\" href=\"/?before=11\">older</a>");
        String second = f.get("/?before=11").body();
        assertThat(rows(section(second, "id=\"ops\"", "</table>"))).isEqualTo(10);
        assertThat(second).contains("/ops/10\"").contains("/ops/1\"").doesNotContain("/ops/11\"")
                .doesNotContain("id=\"older\"").contains("<a id=\"newest\" href=\"/\">newest</a>");
    }

    @Test
    void theOperationPageSaysWhenItsOutputWasPrunedAndByWhatRule() throws Exception {
        f = new PageFixture();
        OperationId pruned = f.runToEnd("alice", "!quick");
        OperationId kept = f.runToEnd("alice", "!quick");
        WebServer other = WebServer.start(WebServer.Settings.of("127.0.0.1", 0), f.bot.engine(),
                id -> id.equals(pruned) || id.value() == 999 ? Optional.of("2026-12-05T06:00:00Z retention 90d")
                        : Optional.empty());
        try {
            HttpClient http = HttpClient.newHttpClient();
            String page = http.send(HttpRequest.newBuilder(URI.create(other.baseUrl() + "/ops/" + pruned.value()))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(page).contains("<p id=\"pruned\">output pruned on 2026-12-05 (retention 90d)</p>");
            String other2 = http.send(HttpRequest.newBuilder(URI.create(other.baseUrl() + "/ops/" + kept.value()))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(other2).doesNotContain("pruned");
            HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(other.baseUrl() + "/ops/999"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(gone.body()).contains("operation #999 was pruned on 2026-12-05 (retention 90d): ended "
                    + "operations older than bot.retention.keep are removed with their output");
        } finally {
            other.close();
        }
    }

    @Test
    void operationPagesShowParametersApprovalsHostsAndTheLiveLogArea() {
        f = new PageFixture();
        OperationId done = f.runToEnd("alice", "!quick");
        OperationId pending = f.run("alice", "!deploy");

        String page = f.get("/ops/" + done.value()).body();
        assertThat(page).contains("<span id=\"state\">succeeded</span>").contains("<div id=\"log\">")
                .contains("<span id=\"stream-status\">").contains("<table class=\"hosts\" id=\"hosts-1\">")
                .contains("<script src=\"/static/ops.js\"></script>").contains("data-op=\"" + done.value() + "\"")
                .contains("<th>target</th><td>bm01</td>");
        assertThat(rows(section(page, "id=\"hosts-0\"", "</table>"))).isEqualTo(1);
        String hosts = section(page, "id=\"hosts-1\"", "</table>");
        assertThat(rows(hosts)).isEqualTo(2);
        assertThat(hosts).contains("<td><a href=\"?host=bm02\">bm02</a></td><td>succeeded</td><td>0</td>");

        String waiting = f.get("/ops/" + pending.value()).body();
        assertThat(waiting).contains("<span id=\"state\">pending approval</span>")
                .contains("needs 1 approval(s) by role releng; 1 still missing")
                .contains("<td>requested</td>").contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
                .doesNotContain(PageFixture.SCRIPT);

        f.bot.api().approve(pending, new Identity(TestBot.CHAT, "bob"), HERE);
        f.awaitTerminal(pending);
        String approved = f.get("/ops/" + pending.value()).body();
        assertThat(section(approved, "<table id=\"approvals\">", "</table>")).contains("<td>approved</td><td>chat:bob");
    }

    @Test
    void aRunningOperationShowsItsHostRunsSoFar() {
        f = new PageFixture();
        OperationId running = f.run("alice", "!slow");
        f.fake.awaitCalls(1, Duration.ofSeconds(5));
        String page = f.get("/ops/" + running.value()).body();
        assertThat(page).contains("<span id=\"state\">running</span>")
                .contains("<tr data-run=\"0|bm01\"><td><a href=\"?host=bm01\">bm01</a></td><td>running</td><td></td>")
                .contains("<span id=\"count\">0/2</span>");
    }

    @Test
    void unknownOperationsAndPathsAre404() {
        f = new PageFixture();
        for (String path : List.of("/ops/999", "/ops/abc", "/ops/0", "/ops/999/events", "/ops/abc/log", "/nope",
                "/static/nope.js", "/ops/%3Cscript%3E")) {
            HttpResponse<String> r = f.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).doesNotContain("<script>");
        }
        assertThat(f.get("/ops/999").body()).contains("there is no operation #999");
    }

    @Test
    void everyAnswerForbidsForeignResourcesAndSniffing() {
        f = new PageFixture();
        for (String path : List.of("/", "/healthz", "/static/ops.js", "/nope")) {
            HttpResponse<String> r = f.get(path);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).contains("default-src 'self'");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
        }
        HttpResponse<String> js = f.getOk("/static/ops.js", "text/javascript");
        assertThat(js.body()).contains("new EventSource(").contains("textContent").doesNotContain("innerHTML");
        assertThat(f.get("/static/style.css").statusCode()).isEqualTo(200);
    }

    @Test
    void healthzIsOkThen503ForAnUnwritableJournalOrAFailedConnector() {
        f = new PageFixture();
        HttpResponse<String> ok = f.get("/healthz");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).startsWith("ok\n").contains("connector chat: reconnecting");

        f.bot.engine().onEvent(new ConnectionChanged(TestBot.CHAT, ConnectionChanged.State.CONNECTED, "up"));
        assertThat(f.get("/healthz").body()).isEqualTo("ok\nconnector chat: connected\n");

        f.bot.journal().failWrites(true);
        HttpResponse<String> full = f.get("/healthz");
        assertThat(full.statusCode()).isEqualTo(503);
        assertThat(full.body()).startsWith("journal: ");
        f.bot.journal().failWrites(false);

        f.bot.engine().onEvent(new ConnectionChanged(TestBot.CHAT, ConnectionChanged.State.FAILED,
                "login refused for " + PageFixture.SECRET));
        HttpResponse<String> failed = f.get("/healthz");
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(failed.body()).isEqualTo("chat: failed (login refused for ***)\nconnector chat: failed\n");
    }

    @Test
    void withoutATokenOnlyLoopbackHostHeadersWithThePortAreServed() {
        f = new PageFixture();
        OperationId id = f.runToEnd("alice", "!quick");
        int port = f.web.port();
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port, "[::1]:" + port)) {
            PageFixture.Raw r = f.getWithHost("/ops/" + id.value() + "/log", host);
            assertThat(r.status()).as(host).isEqualTo(200);
            assertThat(r.body()).as(host).contains("preparing");
        }
        for (String host : List.of("attacker.example:" + port, "attacker.example", "localhost", "127.0.0.1:1",
                "localhost.attacker.example:" + port)) {
            for (String path : List.of("/", "/ops/" + id.value() + "/log", "/metrics", "/healthz")) {
                PageFixture.Raw r = f.getWithHost(path, host);
                assertThat(r.status()).as(host + " " + path).isEqualTo(421);
                assertThat(r.body()).as(host).startsWith("421: ").doesNotContain("preparing").endsWith("\n")
                        .hasLineCount(1);
            }
        }
        // an empty or malformed Host is refused too, by Jetty (400) or here
        assertThat(f.getWithHost("/", "127.0.0.1:" + port + "@x").status()).isIn(400, 421);
        assertThat(f.getWithHost("/", "").status()).isIn(400, 421);
    }

    @Test
    void theHostOfTheConfiguredWebUrlIsServedToo() {
        f = new PageFixture(s -> s.withPublicUrl(URI.create("http://Buildduty.Example.org:8080/")));
        int port = f.web.port();
        assertThat(f.getWithHost("/", "buildduty.example.org:8080").status()).isEqualTo(200);
        assertThat(f.getWithHost("/", "buildduty.example.org").status()).isEqualTo(200);
        assertThat(f.getWithHost("/", "localhost:" + port).status()).isEqualTo(200);
        assertThat(f.getWithHost("/", "example.org:8080").status()).isEqualTo(421);
        assertThat(f.getWithHost("/", "attacker.example:" + port).status()).isEqualTo(421);
    }

    @Test
    void metricsAreThePrometheusScrape() {
        f = new PageFixture();
        OperationId done = f.runToEnd("alice", "!quick");
        HttpResponse<String> r = f.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).contains("buildduty_commands_total{command=\"quick\",outcome=\"planned\"} 1.0")
                .contains("buildduty_step_duration_seconds_count{executor=\"fake\",outcome=\"succeeded\"} 3")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void aSecondServerOnTheSamePortFailsWithOneLine() {
        f = new PageFixture();
        int port = f.web.port();
        assertThatThrownBy(() -> WebServer.start(WebServer.Settings.of("127.0.0.1", port), f.bot.engine()))
                .isInstanceOf(BuilddutyException.class)
                .hasMessage("bot.web: 127.0.0.1:" + port + ": address already in use");
    }

    static String section(String html, String start, String end) {
        int from = html.indexOf(start);
        assertThat(from).as("%s in the page", start).isNotNegative();
        int to = html.indexOf(end, from);
        return html.substring(from, to < 0 ? html.length() : to);
    }

    static int rows(String table) {
        int n = 0;
        for (int i = table.indexOf("<tr", table.indexOf("<tbody>")); i >= 0; i = table.indexOf("<tr", i + 1)) {
            n++;
        }
        return n;
    }
}
