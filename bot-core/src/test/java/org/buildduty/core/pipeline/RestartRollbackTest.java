package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.PlanCodec;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OnRestart;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

/**
 * A bot that died mid-run: on restart the operation is reported interrupted and never re-run; with
 * {@code on_restart: rollback} the rollbacks of what had completed run, last step first, where each step succeeded.
 */
class RestartRollbackTest {
    private static final OperationId ID = new OperationId(1);
    private final FakeExecutor fake = new FakeExecutor("fake");
    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryJournal journal = new InMemoryJournal();
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    private static StepSpec step(String name, List<String> hosts, String undo) {
        StepSpec rollback = undo == null ? null : new StepSpec(undo, "fake", Map.of("command", undo), List.of(), 2,
                null, null, OnHostFailure.CONTINUE, null);
        return new StepSpec(name, "fake", Map.of("command", name), hosts, 2, null, null, OnHostFailure.CONTINUE,
                rollback);
    }

    private static OperationPlan plan(OnRestart onRestart) {
        return new OperationPlan("deploy", Map.of("rev", "abc1234"), List.of(
                step("stage", List.of(), "unstage"),
                step("switch", List.of("bm01", "bm02", "bm03"), "switch back"),
                step("announce", List.of(), null)), ApprovalPolicy.NONE, "hosts", onRestart);
    }

    /** Journals what a bot killed during step 2 leaves: step 1 done, bm01 done, bm02 failed, bm03 cut off. */
    private void crashedDuringStepTwo(OnRestart onRestart, OperationState at) {
        Instant t = ticker.now();
        Operation op = new Operation(ID, plan(onRestart), new Identity(TestBot.CHAT, "alice"),
                ChatAddress.of(TestBot.CHAT, TestBot.ROOM), t, OperationState.QUEUED);
        journal.operationCreated(op);
        journal.operationState(ID, OperationState.RUNNING, t, "");
        journal.hostStarted(ID, 0, "stage", null, false, t);
        journal.hostFinished(ID, 0, false, StepResult.succeeded(null, 0, "staged"), t);
        for (String h : List.of("bm01", "bm02", "bm03")) {
            journal.hostStarted(ID, 1, "switch", h, false, t);
        }
        journal.hostFinished(ID, 1, false, StepResult.succeeded("bm01", 0, "switched"), t);
        journal.hostFinished(ID, 1, false, StepResult.failed("bm02", 1, "exit 1", "no space"), t);
        if (at == OperationState.ROLLING_BACK) {
            journal.operationState(ID, OperationState.ROLLING_BACK, t, "");
            journal.hostStarted(ID, 1, "switch back", "bm01", true, t);
            journal.hostFinished(ID, 1, true, StepResult.succeeded("bm01", 0, "back"), t);
        }
    }

    private TestBot restart() {
        bot = TestBot.builder().journal(journal).ticker(ticker).executor(fake).build();
        return bot;
    }

    @Test
    void rollbackOnRestartUndoesWhatCompletedLastStepFirstAndRunsNothingForward() {
        crashedDuringStepTwo(OnRestart.ROLLBACK, OperationState.RUNNING);
        restart();
        List<String> lines = bot.awaitLine("deploy #1 interrupted by a restart · rolled back 2 steps",
                Duration.ofSeconds(10));

        assertThat(lines.get(0)).startsWith("deploy #1 interrupted: the bot restarted while it was running; "
                + "completed: ").contains("rolling back as its runbook asks (on_restart: rollback); not re-run");
        assertThat(fake.calls()).extracting(FakeExecutor.Call::step, FakeExecutor.Call::host)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("switch back", "bm01"),
                        org.assertj.core.groups.Tuple.tuple("unstage", null));
        assertThat(journal.operation(ID).orElseThrow().state()).isEqualTo(OperationState.INTERRUPTED);
        assertThat(journal.hostRuns(ID)).filteredOn(HostRunRecord::rollback).hasSize(2);
    }

    @Test
    void aRollbackCutOffByTheCrashDoesNotUndoTwice() {
        crashedDuringStepTwo(OnRestart.ROLLBACK, OperationState.ROLLING_BACK);
        restart();
        bot.awaitLine("deploy #1 interrupted by a restart · rolled back 1 step", Duration.ofSeconds(10));
        assertThat(fake.calls()).extracting(FakeExecutor.Call::step).containsExactly("unstage");
    }

    @Test
    void reportOnlyIsTheDefaultAndRunsNothing() {
        crashedDuringStepTwo(OnRestart.REPORT, OperationState.RUNNING);
        restart();
        List<String> lines = bot.settle();
        assertThat(lines).singleElement().asString().startsWith("deploy #1 interrupted: the bot restarted while it "
                + "was running; completed: ").contains("not re-run");
        assertThat(fake.calls()).isEmpty();
        assertThat(journal.operation(ID).orElseThrow().state()).isEqualTo(OperationState.INTERRUPTED);
    }

    @Test
    void aHostCutOffInItsRetryIsCountedOnceByItsLastAttempt() {
        crashedDuringStepTwo(OnRestart.REPORT, OperationState.RUNNING);
        // bm02's failed attempt was being retried when the bot died
        journal.hostStarted(ID, 1, "switch", "bm02", false, ticker.now());
        restart();
        assertThat(bot.settle()).singleElement().asString()
                .contains("completed: step 1 stage (1/1 ok), step 2 switch (1/3 ok, 2 cut off)");
    }

    @Test
    void thePlanKeepsItsRestartPolicyInTheJournal() {
        assertThat(PlanCodec.decode(PlanCodec.encode(plan(OnRestart.ROLLBACK)))).isEqualTo(plan(OnRestart.ROLLBACK));
        String old = PlanCodec.encode(plan(OnRestart.ROLLBACK)).replace(",\"on_restart\":\"ROLLBACK\"", "");
        assertThat(PlanCodec.decode(old).onRestart()).isEqualTo(OnRestart.REPORT);
    }
}
