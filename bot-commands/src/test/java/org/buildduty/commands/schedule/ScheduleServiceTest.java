package org.buildduty.commands.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.RunbookLoader;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

/** Schedules on an injected clock: on time, after downtime (misfire), over a live run (overlap), across a crash. */
class ScheduleServiceTest {
    /** Monday 2026-12-07, 05:58 UTC. */
    private static final Instant MON_0558 = Instant.parse("2026-12-07T05:58:00Z");

    @TempDir
    Path dir;

    private final FakeTicker ticker = new FakeTicker(MON_0558);
    private final InMemoryJournal journal = new InMemoryJournal();
    private final FakeExecutor local = new FakeExecutor("local");
    private ScheduleService service;
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    private List<Runbook> runbook(String cron, String extra) throws IOException {
        Files.writeString(dir.resolve("nightly.yml"), String.join("\n",
                "name: nightly",
                "role: anyone",
                "params:",
                "  target: { type: string }",
                "schedule:",
                "  cron: \"" + cron + "\"",
                "  params: { target: all }",
                "  notify: \"#releng\"",
                extra,
                "steps:",
                "  - name: check",
                "    local: { command: \"echo {{target}}\" }",
                ""));
        return RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, Inventory.EMPTY);
    }

    private TestBot start(List<Runbook> runbooks) {
        ScheduleService s = new ScheduleService(runbooks);
        service = s;
        bot = TestBot.builder().ticker(ticker).journal(journal).executor(local)
                .commands(r -> ScheduleCommands.register(r, s)).service(s).role("releng", "alice").build();
        return bot;
    }

    private void restart(List<Runbook> runbooks) {
        bot.close();
        start(runbooks);
    }

    /** Advances the clock, ticks twice (a second tick must add nothing), and returns the new lines. */
    private List<String> advance(Duration d) {
        ticker.advance(d);
        service.tick();
        service.tick();
        return bot.settle();
    }

    private List<OperationRecord> ops() {
        return journal.recent(100, Long.MAX_VALUE);
    }

    @Test
    void aScheduleFiresOnTimeAsItsIdentityThroughTheEngineAndNotBefore() throws IOException {
        start(runbook("0 6 * * 1-5", ""));
        assertThat(advance(Duration.ZERO)).isEmpty();
        assertThat(advance(Duration.ofSeconds(119))).isEmpty();
        assertThat(ops()).isEmpty();

        List<String> lines = advance(Duration.ofSeconds(1));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("scheduled nightly: nightly #1 started"));
        assertThat(ops()).hasSize(1);
        OperationRecord op = ops().get(0);
        assertThat(op.requester()).isEqualTo(new Identity("schedule", "nightly"));
        assertThat(op.plan().params()).containsEntry("target", "all");
        assertThat(advance(Duration.ofMinutes(1))).noneMatch(l -> l.contains("scheduled"));
        assertThat(ops()).hasSize(1);

        assertThat(bot.send("bob", "!schedules")).anySatisfy(l -> assertThat(l)
                .startsWith("nightly: \"0 6 * * 1-5\" UTC, next 06:00Z Tue (in 23h 59m), notify #releng"));
    }

    @Test
    void misfireSkipSaysWhichRunsWereSkippedWhileTheBotWasDown() throws IOException {
        List<Runbook> rbs = runbook("0 6 * * *", "  misfire: skip");
        start(rbs);
        advance(Duration.ZERO);
        bot.close();
        ticker.advance(Duration.ofDays(3).plusHours(2).plusMinutes(7));   // Thursday 08:05
        start(rbs);
        List<String> lines = advance(Duration.ZERO);
        assertThat(lines).contains("skipped 4 runs of nightly while the bot was down: 06:00Z Mon, 06:00Z Tue,"
                + " 06:00Z Wed, 06:00Z Thu");
        assertThat(ops()).isEmpty();
        assertThat(bot.send("bob", "!schedules")).anySatisfy(l -> assertThat(l).contains("next 06:00Z Fri"));
    }

    @Test
    void misfireRunOnceRunsOneLateRunSayingHowLate() throws IOException {
        List<Runbook> rbs = runbook("0 6 * * *", "  misfire: run_once");
        start(rbs);
        advance(Duration.ZERO);
        bot.close();
        ticker.advance(Duration.ofHours(2).plusMinutes(7));   // Monday 08:05
        start(rbs);
        List<String> lines = advance(Duration.ZERO);
        assertThat(lines).anySatisfy(l -> assertThat(l)
                .startsWith("scheduled nightly: ran 2h 5m late (the bot was down) nightly #1 started"));
        assertThat(ops()).hasSize(1);
        assertThat(advance(Duration.ofMinutes(5))).noneMatch(l -> l.contains("scheduled"));
        assertThat(ops()).hasSize(1);
    }

    @Test
    void onOverlapSkipSkipsWhileThePreviousRunIsLiveAndSaysSo() throws IOException {
        local.onStep("check", FakeExecutor.script().await("hold").succeed());
        start(runbook("*/10 * * * *", "  on_overlap: skip"));
        advance(Duration.ZERO);
        advance(Duration.ofMinutes(2));                    // 06:00: the first run holds
        local.awaitRunning(1, Duration.ofSeconds(5));
        List<String> lines = advance(Duration.ofMinutes(10));
        assertThat(lines).contains("scheduled nightly: skipped this run: the previous one, nightly #1, is still"
                + " running (on_overlap: skip)");
        assertThat(ops()).hasSize(1);
        local.release("hold");
        bot.awaitLine("succeeded", Duration.ofSeconds(5));
        assertThat(advance(Duration.ofMinutes(10))).anySatisfy(l -> assertThat(l)
                .startsWith("scheduled nightly: nightly #2 started"));
    }

    @Test
    void onOverlapQueueCreatesTheRunAndExclusionQueuesIt() throws IOException {
        local.onStep("check", FakeExecutor.script().await("hold").succeed());
        start(runbook("*/10 * * * *", "  on_overlap: queue"));
        advance(Duration.ZERO);
        advance(Duration.ofMinutes(2));
        local.awaitRunning(1, Duration.ofSeconds(5));
        List<String> lines = advance(Duration.ofMinutes(10));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("scheduled nightly: nightly #2 queued"));
        assertThat(ops()).hasSize(2);
        local.release("hold");
    }

    @Test
    void aRestartBetweenJournalingTheDueTimeAndCreatingTheRunNeverCreatesItTwice() throws IOException {
        List<Runbook> rbs = runbook("0 6 * * *", "  misfire: run_once");
        start(rbs);
        advance(Duration.ZERO);
        service.crashPoint(() -> {
            throw new IllegalStateException("the bot dies here");
        });
        ticker.advance(Duration.ofMinutes(2));
        assertThatThrownBy(service::tick).hasMessage("the bot dies here");
        assertThat(ops()).isEmpty();

        restart(rbs);
        assertThat(advance(Duration.ZERO)).noneMatch(l -> l.contains("scheduled"));
        assertThat(advance(Duration.ofHours(1))).noneMatch(l -> l.contains("scheduled"));
        assertThat(ops()).as("the run whose due time was journaled is lost, never doubled").isEmpty();
        assertThat(advance(Duration.ofHours(23))).anySatisfy(l -> assertThat(l)
                .startsWith("scheduled nightly: nightly #1 started"));
        assertThat(ops()).hasSize(1);
    }

    @Test
    void aRunIsCreatedOnceAcrossARestartRightAfterIt() throws IOException {
        List<Runbook> rbs = runbook("0 6 * * *", "  misfire: run_once");
        start(rbs);
        advance(Duration.ZERO);
        advance(Duration.ofMinutes(2));
        assertThat(ops()).hasSize(1);
        restart(rbs);
        advance(Duration.ZERO);
        advance(Duration.ofMinutes(1));
        assertThat(ops()).hasSize(1);
    }

    @Test
    void pauseAndResumeAreJournaledAndNeedReleng() throws IOException {
        List<Runbook> rbs = runbook("0 6 * * *", "");
        start(rbs);
        advance(Duration.ZERO);
        assertThat(bot.send("bob", "!schedules pause nightly")).containsExactly("not allowed: schedules pause needs"
                + " role releng (you are chat:bob)");
        assertThat(bot.send("alice", "!schedules pause nightly")).containsExactly("schedule nightly paused;"
                + " !schedules resume nightly resumes it");
        restart(rbs);
        assertThat(bot.send("bob", "!schedules")).anySatisfy(l -> assertThat(l).contains("PAUSED by chat:alice"));
        assertThat(advance(Duration.ofMinutes(2))).noneMatch(l -> l.contains("scheduled"));
        assertThat(ops()).isEmpty();
        assertThat(bot.send("alice", "!schedules resume nightly")).containsExactly("schedule nightly resumed; next"
                + " run 06:00Z Tue");
        assertThat(bot.send("alice", "!schedules pause nope")).containsExactly("no schedule \"nope\" (schedules:"
                + " nightly)");
    }

    @Test
    void aReloadThatChangesTheExpressionOrTheZoneRecomputesTheNextRunAndKeepsThePause() throws IOException {
        start(runbook("0 6 * * *", ""));
        advance(Duration.ZERO);
        bot.send("alice", "!schedules pause nightly");
        service.replace(runbook("0 7 * * *", ""));
        advance(Duration.ZERO);
        assertThat(bot.send("bob", "!schedules")).singleElement().satisfies(l -> assertThat(l)
                .startsWith("nightly: \"0 7 * * *\" UTC, PAUSED by chat:alice, would run 07:00Z Mon (in 1h 2m)"));
        bot.send("alice", "!schedules resume nightly");
        service.replace(runbook("0 7 * * *", "  timezone: Europe/Paris"));
        advance(Duration.ZERO);
        assertThat(bot.send("bob", "!schedules")).singleElement().satisfies(l -> assertThat(l)
                .startsWith("nightly: \"0 7 * * *\" Europe/Paris, next 07:00 Mon Europe/Paris (in 2m)"));
    }

    @Test
    void aScheduleWhoseIdentityLacksTheRunbooksRoleIsNotRunAndSaysSo() throws IOException {
        Files.writeString(dir.resolve("guarded.yml"), String.join("\n",
                "name: guarded",
                "role: releng",
                "schedule: { cron: \"0 6 * * *\", notify: \"#releng\" }",
                "steps:",
                "  - name: check",
                "    local: { command: \"true\" }",
                ""));
        start(RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, Inventory.EMPTY));
        advance(Duration.ZERO);
        assertThat(advance(Duration.ofMinutes(2))).contains("scheduled guarded: not run: schedule:guarded does not"
                + " hold role releng (list it under roles: releng in the configuration)");
        assertThat(ops()).isEmpty();
    }
}
