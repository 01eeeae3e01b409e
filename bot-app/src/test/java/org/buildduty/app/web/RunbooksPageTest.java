package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.Schedule;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnRestart;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.param.ParamSpec;
import org.buildduty.core.param.ParamType;
import org.buildduty.core.testing.TestBot;

/** {@code /runbooks}: each runbook's parameters, approval, exclusion, schedule and last runs; the list a reload set. */
class RunbooksPageTest {
    private PageFixture f;
    private WebServer web;

    @AfterEach
    void stop() {
        if (web != null) {
            web.close();
        }
        if (f != null) {
            f.close();
        }
    }

    static Runbook reconfig() {
        return new Runbook("reconfig", "reconfig", "Reconfigure the masters", "releng",
                new ApprovalPolicy("releng", 2, true, Duration.ofMinutes(30)),
                List.of(new ParamSpec("masters", ParamType.GROUP, "all", List.of(), "which masters", null, null),
                        new ParamSpec("revision", ParamType.REVISION, null, List.of(), "the commit", null, null),
                        new ParamSpec("mode", ParamType.ENUM, "graceful", List.of("graceful", "hard"), "", null, null),
                        new ParamSpec("token", ParamType.STRING, PageFixture.SECRET, List.of(), PageFixture.SCRIPT,
                                null, null)),
                List.of(), "masters", OnRestart.ROLLBACK, List.of("irc:#releng"),
                new Exclusion(false, true, List.of("buildbot", "db"), List.of(), true), "runbooks/reconfig.yml",
                new Schedule("0 6 * * 1", Map.of("masters", "all", "revision", "HEAD"), "irc:#releng",
                        Schedule.OnOverlap.SKIP, Schedule.Misfire.RUN_ONCE, ZoneId.of("Europe/Paris")));
    }

    static Runbook hello() {
        return new Runbook("hello", "", "", "", ApprovalPolicy.NONE, List.of(), List.of(), "steps", OnRestart.REPORT,
                List.of(), Exclusion.RUNBOOK, "runbooks/hello.yml");
    }

    @Test
    void eachRunbookWithItsParametersApprovalExclusionScheduleAndLastRuns() throws Exception {
        f = new PageFixture();
        AtomicReference<List<Runbook>> live = new AtomicReference<>(List.of(reconfig(), hello()));
        web = WebServer.start(WebServer.Settings.of("127.0.0.1", 0), f.bot.engine(), id -> Optional.empty(),
                live::get);
        // reconfig: 3 ended (60 s, 120 s succeeded; 30 s failed), 1 pending; median 60 s, 67 % succeeded
        journaled("reconfig", OperationState.SUCCEEDED, 60);
        journaled("reconfig", OperationState.FAILED, 30);
        OperationId newest = journaled("reconfig", OperationState.SUCCEEDED, 120);
        OperationId pending = journaled("reconfig", OperationState.PENDING_APPROVAL, 0);
        journaled("other", OperationState.FAILED, 5);

        HttpResponse<String> r = get("/runbooks");
        assertThat(r.statusCode()).isEqualTo(200);
        String page = r.body();
        String rc = WebServerTest.section(page, "<section class=\"runbook\" id=\"rb-reconfig\">", "</section>");
        assertThat(rc).contains("<h2>reconfig <span class=\"alias\">(alias reconfig)</span></h2>")
                .contains("Reconfigure the masters")
                .contains("<td class=\"approval\">2 of releng (the requester may approve), expires after 30m</td>")
                .contains("<td class=\"exclusion\">exclusive: hosts; locks: buildbot, db; on_conflict: refuse</td>")
                .contains("<td class=\"schedule\">0 6 * * 1 (Europe/Paris) with masters=all revision=HEAD; "
                        + "on_overlap: skip; misfire: run_once; notify: irc:#releng; next ")
                .contains("<td class=\"rooms\">irc:#releng</td>").contains("<td class=\"on-restart\">rollback</td>")
                .contains("<td data-label=\"parameter\">--masters</td><td data-label=\"type\">group</td>"
                        + "<td data-label=\"default\">all</td><td data-label=\"required\">no</td>")
                .contains("<td data-label=\"parameter\">--revision</td><td data-label=\"type\">revision</td>"
                        + "<td data-label=\"default\"></td><td data-label=\"required\">yes</td>")
                .contains("<td data-label=\"type\">enum (graceful, hard)</td>")
                .contains("<span class=\"ended\">3 ended</span>, <span class=\"rate\">67% succeeded</span>, "
                        + "<span class=\"median\">median 1m</span>, <span class=\"live\">1 not ended</span>")
                .contains("<a class=\"all\" href=\"/?kind=reconfig\">all runs</a>")
                .contains("<ul class=\"last-runs\"><li><a href=\"/ops/" + newest.value() + "\">" + newest
                        + "</a> <span class=\"state state-succeeded\">succeeded</span> 2026-11-01 10:00:00Z by alice")
                .contains("<span class=\"state state-failed\">failed</span>")
                .doesNotContain("/ops/" + pending.value() + "\"").doesNotContain("/ops/5\"");
        // a secret default and a description holding markup are shown redacted and escaped
        assertThat(page).doesNotContain(PageFixture.SECRET).doesNotContain("<script>alert")
                .contains("<td data-label=\"default\">***</td>");
        String hi = WebServerTest.section(page, "<section class=\"runbook\" id=\"rb-hello\">", "</section>");
        assertThat(hi).contains("<td class=\"approval\">none</td>")
                .contains("<td class=\"exclusion\">exclusive: runbook; on_conflict: queue</td>")
                .contains("<td class=\"schedule\">none</td>").contains("<p class=\"params empty\">no parameters</p>")
                .contains("<span class=\"ended\">0 ended</span>, <span class=\"rate\">- succeeded</span>, "
                        + "<span class=\"median\">median -</span>");
        assertThat(page.indexOf("id=\"rb-hello\"")).isLessThan(page.indexOf("id=\"rb-reconfig\""));
        assertThat(page).contains("<a id=\"nav-runbooks\" href=\"/runbooks\">runbooks</a>");

        // a live reload replaces the list the supplier gives: the next request shows the new one
        live.set(List.of(hello()));
        String after = get("/runbooks").body();
        assertThat(after).contains("id=\"rb-hello\"").doesNotContain("id=\"rb-reconfig\"");
        live.set(List.of());
        assertThat(get("/runbooks").body()).contains("no runbook is loaded");
    }

    @Test
    void theMedianOfAnEvenNumberOfRunsIsTheMeanOfTheMiddleTwo() {
        f = new PageFixture();
        for (int s : new int[] {10, 40, 20, 100}) {
            journaled("hello", OperationState.SUCCEEDED, s);
        }
        RunbooksPage.Runs runs = new RunbooksPage(f.bot.engine(), List::of).runs("hello");
        assertThat(runs.median()).contains(Duration.ofSeconds(30));
        assertThat(runs.rate()).isEqualTo("100%");
        assertThat(RunbooksPage.median(List.of())).isEmpty();
    }

    private OperationId journaled(String kind, OperationState end, int seconds) {
        Instant at = Instant.parse("2026-11-01T10:00:00Z");
        OperationId id = f.bot.journal().nextOperationId();
        f.bot.journal().operationCreated(new Operation(id, new OperationPlan(kind, Map.of(),
                List.of(PageFixture.step("s", List.of())), ApprovalPolicy.NONE, "steps"),
                new Identity(TestBot.CHAT, "alice"), ChatAddress.of(TestBot.CHAT, TestBot.ROOM), at,
                OperationState.QUEUED));
        if (end.isTerminal()) {
            f.bot.journal().operationState(id, OperationState.RUNNING, at, "");
            f.bot.journal().operationState(id, end, at.plusSeconds(seconds), "");
        } else {
            f.bot.journal().operationState(id, end, at, "");
        }
        return id;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(web.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
