package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.TestBot;

/** {@code /}: one list, live operations first and once, filters and a search over parameters. */
class IndexPageTest {
    private PageFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aPendingOperationIsListedOnceBeforeTheEndedOnes() {
        f = new PageFixture();
        OperationId done = f.runToEnd("alice", "!quick");
        OperationId pending = f.run("alice", "!deploy");

        String page = f.getOk("/", "text/html").body();
        assertThat(count(page, "href=\"/ops/" + pending.value() + "\"")).isEqualTo(1);
        assertThat(count(page, "href=\"/ops/" + done.value() + "\"")).isEqualTo(1);
        assertThat(page.indexOf("href=\"/ops/" + pending.value() + "\""))
                .isLessThan(page.indexOf("href=\"/ops/" + done.value() + "\""));
    }

    @Test
    void pendingThenQueuedThenRunningThenEndedEachOnce() {
        f = new PageFixture();
        OperationId done = f.runToEnd("alice", "!quick");
        OperationId running = f.run("alice", "!serial");
        f.fake.awaitCalls(4, Duration.ofSeconds(5));
        OperationId queued = f.run("bob", "!serial");
        OperationId pending = f.run("alice", "!deploy");

        String page = f.getOk("/", "text/html").body();
        List<OperationId> order = List.of(pending, queued, running, done);
        for (int i = 0; i < order.size(); i++) {
            String link = "href=\"/ops/" + order.get(i).value() + "\"";
            assertThat(count(page, link)).as("%s listed once", order.get(i)).isEqualTo(1);
            if (i > 0) {
                assertThat(page.indexOf("href=\"/ops/" + order.get(i - 1).value() + "\"")).isLessThan(
                        page.indexOf(link));
            }
        }
        assertThat(page).contains("<p id=\"summary\">3 not ended, 1 ended</p>")
                .contains("<tr data-op=\"" + pending.value() + "\" class=\"live\">");
        f.fake.release("hold");
        f.awaitTerminal(queued);
    }

    @Test
    void filtersByStateRequesterKindAndCreationDateKeepingTheChoicesInTheForm() {
        f = new PageFixture();
        OperationId a = journaled("reconfig", "alice", params("masters", "all", "revision", "4f2a9c1"),
                "2026-11-01T10:00:00Z", OperationState.SUCCEEDED);
        OperationId b = journaled("reconfig", "bob", params("masters", "bm01", "revision", "77e1"),
                "2026-11-05T10:00:00Z", OperationState.FAILED);
        OperationId c = journaled("restart", "carol", params("host", "bm02"), "2026-11-06T23:59:59.5Z",
                OperationState.CANCELLED);
        OperationId d = journaled("reconfig", "carol", params("revision", "77e1"), "2026-11-07T00:00:00Z",
                OperationState.INTERRUPTED);

        assertThat(listed("/?state=failed")).containsExactly(b);
        assertThat(listed("/?requester=carol")).containsExactly(d, c);
        assertThat(listed("/?kind=reconfig&requester=BOB")).containsExactly(b);
        assertThat(listed("/?from=2026-11-05&to=2026-11-06")).containsExactly(c, b);
        assertThat(listed("/?from=2026-11-07")).containsExactly(d);
        assertThat(listed("/?to=2026-11-01")).containsExactly(a);
        assertThat(listed("/?state=running")).isEmpty();

        String page = f.getOk("/?kind=reconfig&requester=bob&state=failed&from=2026-11-05&to=2026-11-30", "text/html")
                .body();
        assertThat(page).contains("<form id=\"filters\" class=\"filters\" method=\"get\" action=\"/\"")
                .contains("name=\"kind\" type=\"text\" value=\"reconfig\"")
                .contains("name=\"requester\" type=\"text\" value=\"bob\"")
                .contains("<option value=\"failed\" selected>failed</option>")
                .contains("name=\"from\" type=\"date\" value=\"2026-11-05\"")
                .contains("name=\"to\" type=\"date\" value=\"2026-11-30\"")
                .contains("<p id=\"summary\">1 ended matching the filters</p>")
                .contains("<a id=\"f-clear\" href=\"/\">clear</a>");
        assertThat(f.getOk("/?requester=nobody", "text/html").body())
                .contains("<p class=\"empty\" id=\"ops-empty\">no operation</p>");
    }

    @Test
    void searchesParameterWordsAsShownSoASecretIsNeverFoundByItsValue() {
        f = new PageFixture();
        OperationId a = journaled("reconfig", "alice", params("masters", "all", "revision", "4f2a9c1"),
                "2026-11-01T10:00:00Z", OperationState.SUCCEEDED);
        OperationId b = journaled("reconfig", "bob", params("masters", "bm01", "revision", "77e1"),
                "2026-11-05T10:00:00Z", OperationState.FAILED);
        OperationId s = journaled("deploy", "bob", params("token", PageFixture.SECRET + "-tail"),
                "2026-11-06T10:00:00Z", OperationState.SUCCEEDED);

        assertThat(listed("/?q=77e1")).containsExactly(b);
        assertThat(listed("/?q=REVISION%3D4f2a")).containsExactly(a);
        assertThat(listed("/?q=masters%3D+revision")).containsExactly(b, a);
        assertThat(listed("/?q=tail")).containsExactly(s);
        assertThat(listed("/?q=hunter2")).isEmpty();
        assertThat(listed("/?q=" + PageFixture.SECRET)).isEmpty();
        String page = f.getOk("/?q=tail", "text/html").body();
        assertThat(page).contains("token=***-tail").doesNotContain("hunter2")
                .contains("name=\"q\" type=\"search\" value=\"tail\"");
        // what is typed goes back into the form escaped
        assertThat(f.getOk("/?q=%22%3E%3Cscript%3E", "text/html").body())
                .contains("value=\"&quot;&gt;&lt;script&gt;\"").doesNotContain("\"><script>");
    }

    @Test
    void failedCancelledAndInterruptedOperationsAreClassedForTheRedStyle() throws IOException {
        f = new PageFixture();
        for (OperationState s : List.of(OperationState.FAILED, OperationState.CANCELLED, OperationState.INTERRUPTED,
                OperationState.SUCCEEDED)) {
            journaled("reconfig", "alice", Map.of(), "2026-11-01T10:00:00Z", s);
        }
        String page = f.getOk("/", "text/html").body();
        assertThat(page).contains("class=\"state failed state-failed\">failed</td>")
                .contains("class=\"state cancelled state-cancelled\">cancelled</td>")
                .contains("class=\"state interrupted state-interrupted\">interrupted</td>")
                .contains("class=\"state succeeded state-succeeded\">succeeded</td>")
                .contains("<span class=\"bar state-failed\"><progress");
        String css;
        try (InputStream in = WebServer.class.getResourceAsStream("static/style.css")) {
            css = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(css).contains(".state-failed, .state-cancelled, .state-interrupted, .state-denied, "
                + ".state-expired { color: #c62828;").contains("@media (max-width: 700px)");
    }

    @Test
    void pagesKeepTheFiltersAndCountEndedOperationsOnly() {
        f = new PageFixture();
        for (int i = 0; i < 60; i++) {
            journaled("bulk", "carol", Map.of(), "2026-11-01T10:00:00Z", OperationState.SUCCEEDED);
            journaled("other", "carol", Map.of(), "2026-11-01T10:00:00Z", OperationState.SUCCEEDED);
        }
        String first = f.getOk("/?kind=bulk", "text/html").body();
        assertThat(WebServerTest.rows(WebServerTest.section(first, "id=\"ops\"", "</table>"))).isEqualTo(50);
        // ids 1, 3, ..., 119 are bulk: the 50th newest is 21
        assertThat(first).contains("<a id=\"older\" href=\"/?kind=bulk&amp;before=21\">older</a>");
        List<OperationId> second = listed("/?kind=bulk&before=21");
        assertThat(second).hasSize(10).allMatch(id -> id.value() % 2 == 1 && id.value() < 21);
        assertThat(f.getOk("/?kind=bulk&before=21", "text/html").body())
                .contains("<a id=\"newest\" href=\"/?kind=bulk\">newest</a>").doesNotContain("id=\"older\"");
    }

    @Test
    void aValueThatDoesNotReadIsNamedInOneLineAndIgnored() {
        f = new PageFixture();
        OperationId a = journaled("reconfig", "alice", Map.of(), "2026-11-01T10:00:00Z", OperationState.SUCCEEDED);
        String page = f.getOk("/?from=yesterday&state=exploded", "text/html").body();
        assertThat(page).contains("<p class=\"problem\">from: expected a date like 2026-12-01, not "
                + "&quot;yesterday&quot;</p>").contains("<p class=\"problem\">state: no state is called "
                + "&quot;exploded&quot;</p>").contains("href=\"/ops/" + a.value() + "\"");
    }

    /** An operation written to the journal directly: created at {@code created}, started then, ended 90 s later. */
    private OperationId journaled(String kind, String who, Map<String, String> params, String created,
            OperationState end) {
        Instant at = Instant.parse(created);
        OperationId id = f.bot.journal().nextOperationId();
        f.bot.journal().operationCreated(new Operation(id, new OperationPlan(kind, params,
                List.of(PageFixture.step("s", List.of())), ApprovalPolicy.NONE, "steps"),
                new Identity(TestBot.CHAT, who), ChatAddress.of(TestBot.CHAT, TestBot.ROOM), at,
                OperationState.QUEUED));
        f.bot.journal().operationState(id, OperationState.RUNNING, at, "");
        f.bot.journal().operationState(id, end, at.plusSeconds(90), "");
        return id;
    }

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The operations listed at {@code path}, in order. */
    private List<OperationId> listed(String path) {
        String page = f.getOk(path, "text/html").body();
        return Pattern.compile("<tr data-op=\"(\\d+)\"").matcher(page).results()
                .map(m -> new OperationId(Long.parseLong(m.group(1)))).toList();
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
