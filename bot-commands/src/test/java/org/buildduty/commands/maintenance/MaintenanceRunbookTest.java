package org.buildduty.commands.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.builtin.BuiltinCommands;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.RunbookLoader;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

/**
 * A maintenance window that runs a runbook ({@code --runbook}, {@code --param}, {@code --when-idle},
 * {@code --max-wait}): approval asked at the reminder and open until the start, the wait for running builds, the
 * run through the engine, the end with the result, and restarts at each point. The clock starts at 2026-11-21 10:00
 * UTC (FakeTicker's default); the reminder is at 11:45, the start at 12:00.
 */
class MaintenanceRunbookTest {
    private static final ChatAddress OPS = ChatAddress.of(TestBot.CHAT, "#ops");
    private static final String UPDATE = "!maintenance buildbot update --at 12:00 --duration 1h --notify #ops "
            + "--runbook update --param image=bb:4.1 --when-idle";

    @TempDir
    Path dir;

    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryJournal journal = new InMemoryJournal();
    private final List<String> running = new CopyOnWriteArrayList<>();
    private final FakeExecutor local = new FakeExecutor("local", ticker);
    private List<Runbook> runbooks;
    private MaintenanceSchedule schedule;
    private TestBot bot;

    @BeforeEach
    void runbook() throws IOException {
        Files.writeString(dir.resolve("update.yml"), """
                name: update
                role: releng
                approval: { role: releng, required: 1, self_approve: false, timeout: 5m }
                params:
                  image: { type: string, description: the new image }
                  retries: { type: int, default: 3, min: 1, max: 5 }
                steps:
                  - name: restart
                    local: { command: "echo restart {{image}}" }
                """);
        Files.writeString(dir.resolve("quick.yml"), """
                name: quick
                role: releng
                steps:
                  - name: restart
                    local: { command: "echo quick" }
                """);
        runbooks = RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, Inventory.EMPTY);
    }

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    private TestBot start() {
        return start(true);
    }

    private TestBot start(boolean buildbot) {
        MaintenanceSchedule s = new MaintenanceSchedule(runbooks, buildbot ? () -> List.copyOf(running) : null);
        schedule = s;
        bot = TestBot.builder().ticker(ticker).journal(journal).commands(r -> {
            BuiltinCommands.commands(r);
            MaintenanceCommands.register(r, s);
        })
                .service(s).executor(local).anonymous(true).role("releng", "alice", "bob").build();
        return bot;
    }

    /**
     * Advances the clock, ticks the schedule twice (a second tick must add nothing) and returns the new lines, but
     * the status line of the (stepless) approval operation, whose edits come when its reporter gets to them.
     */
    private List<String> advance(Duration d) {
        ticker.advance(d);
        schedule.tick();
        List<String> lines = new ArrayList<>(bot.settle());
        schedule.tick();
        lines.addAll(bot.settle());
        lines.removeIf(l -> l.startsWith(MaintenanceSchedule.APPROVAL_KIND + " #1 [") && l.contains("0/0 steps"));
        return lines;
    }

    private List<String> sentTo(ChatAddress to) {
        return bot.chat().sent().stream().filter(s -> s.to().equals(to)).map(FakeConnector.Sent::text).toList();
    }

    private List<OperationRecord> operations(String kind) {
        return journal.recent(100, Long.MAX_VALUE).stream().filter(r -> r.plan().kind().equals(kind)).toList();
    }

    /** Waits (real time, the runner's threads) until the operation of that kind has ended. */
    private void awaitEnd(String kind) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (operations(kind).stream().noneMatch(r -> r.state().isTerminal())) {
            if (System.nanoTime() > until) {
                throw new AssertionError("no " + kind + " operation ended: " + operations(kind));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void theApprovalIsAskedAtTheReminderTheUpdateWaitsForRunningBuildsThenRunsAndTheEndSaysItsResult() {
        start();
        assertThat(bot.send("alice", UPDATE)).contains("scheduled maintenance 1: buildbot update, 12:00–13:00 UTC "
                + "(in 2h); reminder 15m before; notifying chat:#ops; runs update once no build runs (waiting 30m at "
                + "most) at the start; cancel with !maintenance cancel 1");
        assertThat(operations(MaintenanceSchedule.APPROVAL_KIND)).isEmpty();
        List<String> reminder = advance(Duration.ofMinutes(105));
        assertThat(reminder).contains("Maintenance 1 starts in 15m (12:00–13:00 UTC): buildbot update",
                "Maintenance 1: update runs at the start if approved before 12:00 UTC: !approve 1 in chat:"
                        + TestBot.ROOM);
        assertThat(reminder).anyMatch(l -> l.startsWith("maintenance-approval #1 by alice: maintenance=1 "
                + "runbook=update image=bb:4.1 retries=3") && l.contains("expires 12:00Z"));
        // the request stays open until the start, though the runbook's own approval expires after 5m
        assertThat(advance(Duration.ofMinutes(10))).isEmpty();
        assertThat(bot.send("alice", "!approve 1")).containsExactly("you requested maintenance-approval #1; someone "
                + "else with role releng must approve it");
        assertThat(bot.send("bob", "!approve 1")).contains("maintenance-approval #1 approved by bob; running");
        advance(Duration.ofMinutes(1));
        running.add("linux #3 on w1");
        List<String> atStart = advance(Duration.ofMinutes(4));
        assertThat(atStart).filteredOn(l -> l.startsWith("Maintenance 1")).containsExactly("Maintenance 1 starting "
                + "now: buildbot update, until 13:00 UTC; then update"
                + " once no build runs", "Maintenance 1: waiting for 1 running build to finish before update (until "
                + "12:30 UTC at most): linux #3 on w1");
        assertThat(advance(Duration.ofMinutes(3))).isEmpty();
        running.add("mac #4 on w2");
        assertThat(advance(Duration.ofMinutes(1))).containsExactly("Maintenance 1: waiting for 2 running builds to "
                + "finish before update (until 12:30 UTC at most): linux #3 on w1, mac #4 on w2");
        assertThat(operations("update")).isEmpty();
        running.clear();
        List<String> run = advance(Duration.ofMinutes(1));
        assertThat(run).contains("Maintenance 1: running update as #2 (after waiting 5m for running builds)");
        awaitEnd("update");
        assertThat(local.calls()).singleElement().satisfies(c -> assertThat(c.step()).isEqualTo("restart"));
        List<String> end = new ArrayList<>(run);                  // the end may come on the tick after the run
        end.addAll(advance(Duration.ofSeconds(1)));
        assertThat(end).anyMatch(l -> l.startsWith("Maintenance 1 is over: buildbot update (12:00–13:00 UTC); "
                + "update: update #2 succeeded"));
        assertThat(advance(Duration.ofHours(1))).isEmpty();
        assertThat(operations("update")).singleElement().satisfies(r -> {
            assertThat(r.state()).isEqualTo(OperationState.SUCCEEDED);
            assertThat(r.requester().principal()).isEqualTo("alice");
            assertThat(r.plan().params()).containsEntry("image", "bb:4.1");
        });
        assertThat(sentTo(OPS)).filteredOn(l -> l.startsWith("Maintenance 1 is over")).hasSize(1);
    }

    @Test
    void notApprovedByTheStartItSaysSoInOneLineAndRunsNothing() {
        start();
        bot.send("alice", UPDATE);
        advance(Duration.ofMinutes(105));
        List<String> atStart = advance(Duration.ofMinutes(15));
        assertThat(atStart).contains("Maintenance 1: update did not run: not approved before the start (#1)");
        assertThat(sentTo(OPS)).filteredOn(l -> l.contains("did not run")).hasSize(1);
        assertThat(advance(Duration.ofMinutes(30))).isEmpty();
        assertThat(advance(Duration.ofMinutes(30))).containsExactly(
                "Maintenance 1 is over: buildbot update (12:00–13:00 UTC)");
        assertThat(operations("update")).isEmpty();
        assertThat(local.calls()).isEmpty();
    }

    @Test
    void buildsStillRunningAfterMaxWaitSkipTheUpdateAndSayWhichBuilds() {
        start();
        bot.send("alice", "!maintenance quick restart --at 12:00 --duration 1h --notify #ops --runbook quick "
                + "--when-idle --max-wait 10m --remind 0");
        running.add("linux #3 on w1");
        advance(Duration.ofHours(2));
        assertThat(advance(Duration.ofMinutes(9))).isEmpty();
        assertThat(advance(Duration.ofMinutes(1))).containsExactly("Maintenance 1: quick did not run: builds still "
                + "running after 10m (--max-wait): linux #3 on w1");
        running.clear();
        assertThat(advance(Duration.ofMinutes(10))).isEmpty();
        assertThat(operations("quick")).isEmpty();
    }

    @Test
    void aRestartBetweenTheReminderAndTheStartKeepsTheApprovalAndRunsOnce() {
        start();
        bot.send("alice", UPDATE);
        advance(Duration.ofMinutes(105));
        bot.send("bob", "!approve 1");
        bot.close();
        start();
        assertThat(advance(Duration.ofMinutes(1))).isEmpty();      // no second approval request
        assertThat(operations(MaintenanceSchedule.APPROVAL_KIND)).hasSize(1);
        List<String> atStart = advance(Duration.ofMinutes(14));
        assertThat(atStart).contains("Maintenance 1 starting now: buildbot update, until 13:00 UTC; then update once "
                + "no build runs", "Maintenance 1: running update as #2");
        awaitEnd("update");
        List<String> end = new ArrayList<>(atStart);
        end.addAll(advance(Duration.ofSeconds(1)));
        assertThat(end).filteredOn(l -> l.startsWith("Maintenance 1 is over"))
                .singleElement().asString().startsWith("Maintenance 1 is over: buildbot update (12:00–13:00 UTC); "
                        + "update: update #2 succeeded in ");
        assertThat(operations("update")).singleElement().extracting(OperationRecord::state)
                .isEqualTo(OperationState.SUCCEEDED);
    }

    @Test
    void aRestartWhileWaitingKeepsTheWaitsStartAndARestartAfterTheRunNeitherRunsItAgainNorLosesTheEnd() {
        start();
        bot.send("alice", UPDATE);
        advance(Duration.ofMinutes(105));
        bot.send("bob", "!approve 1");
        running.add("linux #3 on w1");
        advance(Duration.ofMinutes(15));                            // 12:00: waiting
        advance(Duration.ofMinutes(20));
        bot.close();
        start();
        assertThat(advance(Duration.ZERO)).containsExactly("Maintenance 1: waiting for 1 running build to finish "
                + "before update (until 12:30 UTC at most): linux #3 on w1");
        assertThat(advance(Duration.ofMinutes(10))).containsExactly("Maintenance 1: update did not run: builds "
                + "still running after 30m (--max-wait): linux #3 on w1");
        assertThat(operations("update")).isEmpty();
    }

    @Test
    void aRestartWhileTheOperationRunsDoesNotRunItAgainAndTheEndSaysHowItEnded() {
        start();
        local.onStep("restart", FakeExecutor.script().await("go"));
        bot.send("alice", UPDATE);
        advance(Duration.ofMinutes(105));
        bot.send("bob", "!approve 1");
        assertThat(advance(Duration.ofMinutes(15))).contains("Maintenance 1: running update as #2");
        local.awaitRunning(1, Duration.ofSeconds(10));
        bot.close();                                               // the stop cancels the running operation
        start();
        List<String> after = advance(Duration.ofSeconds(1));
        assertThat(after).noneMatch(l -> l.contains("running update"));
        assertThat(sentTo(OPS)).filteredOn(l -> l.startsWith("Maintenance 1 is over")).singleElement().asString()
                .startsWith("Maintenance 1 is over: buildbot update (12:00–13:00 UTC); update: update #2 cancelled");
        assertThat(advance(Duration.ofMinutes(30))).isEmpty();
        assertThat(operations("update")).hasSize(1);
        assertThat(local.calls()).hasSize(1);
    }

    @Test
    void cancellingTheWindowWithdrawsThePendingApprovalAndNothingRuns() {
        start();
        bot.send("alice", UPDATE);
        advance(Duration.ofMinutes(105));
        assertThat(bot.send("alice", "!maintenance cancel 1")).contains("cancelled maintenance 1 (buildbot update); "
                + "told 1 target");
        assertThat(sentTo(OPS)).contains("Maintenance 1 cancelled by alice: buildbot update (was 12:00–13:00 UTC); "
                + "update will not run");
        assertThat(operations(MaintenanceSchedule.APPROVAL_KIND)).singleElement().extracting(OperationRecord::state)
                .isEqualTo(OperationState.CANCELLED);
        advance(Duration.ofMinutes(20));
        assertThat(operations("update")).isEmpty();
    }

    @Test
    void aDeniedApprovalSaysSoAtTheStart() {
        start();
        bot.send("alice", UPDATE);
        advance(Duration.ofMinutes(105));
        bot.send("bob", "!deny 1 not today");
        assertThat(advance(Duration.ofMinutes(15))).contains("Maintenance 1: update did not run: approval denied (#1)");
        assertThat(operations("update")).isEmpty();
    }

    @Test
    void aBadRunbookOrParameterIsRefusedWhenScheduledInOneLine() {
        start();
        String base = "!maintenance x --at 12:00 --duration 1h --notify #ops ";
        assertThat(bot.send("alice", base + "--runbook nosuch")).containsExactly(
                "unknown runbook \"nosuch\"; runbooks: quick, update");
        assertThat(bot.send("alice", base + "--runbook update")).singleElement().asString()
                .contains("image");
        assertThat(bot.send("alice", base + "--runbook update --param image=a --param retries=9")).singleElement()
                .asString().startsWith("bad value for --retries");
        assertThat(bot.send("alice", base + "--runbook update --param image")).containsExactly(
                "--param takes key=value, not \"image\"; e.g. --param image=buildbot/master:4.1");
        assertThat(bot.send("alice", base + "--when-idle")).containsExactly(
                "--param, --when-idle and --max-wait go with --runbook NAME");
        assertThat(journal.states(MaintenanceSchedule.KIND).keySet()).allMatch(MaintenanceSchedule.NEXT_ID::equals);
        bot.close();
        start(false);
        assertThat(bot.send("alice", base + "--runbook quick --when-idle")).containsExactly(
                "--when-idle needs services.buildbot (the running builds are Buildbot's)");
    }
}
