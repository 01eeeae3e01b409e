package org.buildduty.core.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.core.runner.Plans.WAIT;
import static org.buildduty.core.runner.Plans.op;
import static org.buildduty.core.runner.Plans.step;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.RecordingProgressSink;

class RunnerCancelTest {
    private final FakeTicker ticker = new FakeTicker();
    private final FakeExecutor fake = new FakeExecutor("fake", ticker);
    private final RecordingProgressSink sink = new RecordingProgressSink();
    private final Runner runner = Runner.builder().executor(fake).ticker(ticker).timerPeriod(Duration.ZERO).build();

    @AfterEach
    void close() {
        runner.close();
    }

    private static OperationState await(CompletableFuture<OperationState> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** stop (no hosts), update (bm01, bm02), reconfig (bm01 succeeds, bm02 hangs until cancelled). */
    private Operation threeSteps(long id) {
        fake.on("reconfig", "bm02", FakeExecutor.script().output("reconfiguring").awaitCancel());
        return op(id,
                step("stop").rollback(step("start")),
                step("update").hosts("bm01", "bm02").rollback(step("revert")),
                step("reconfig").hosts("bm01", "bm02").rollback(step("undo-reconfig")));
    }

    @Test
    void cancelRollsBackCompletedStepsInReverseOrderOnCompletedHostsOnly() throws Exception {
        Operation op = threeSteps(17);
        CompletableFuture<OperationState> f = runner.submit(op, sink);
        sink.awaitEvent("Output 2 bm02", WAIT);

        assertThat(runner.cancel(op.id(), "alice")).isTrue();

        assertThat(await(f)).isEqualTo(OperationState.CANCELLED);
        assertThat(op.state()).isEqualTo(OperationState.CANCELLED);
        assertThat(sink.events()).containsExactly(
                "OperationStarted",
                "StepStarted 0 stop",
                "HostStarted 0 -",
                "HostFinished 0 - SUCCEEDED",
                "StepFinished 0 SUCCEEDED",
                "StepStarted 1 update",
                "HostStarted 1 bm01",
                "HostFinished 1 bm01 SUCCEEDED",
                "HostStarted 1 bm02",
                "HostFinished 1 bm02 SUCCEEDED",
                "StepFinished 1 SUCCEEDED",
                "StepStarted 2 reconfig",
                "HostStarted 2 bm01",
                "HostFinished 2 bm01 SUCCEEDED",
                "HostStarted 2 bm02",
                "Output 2 bm02 STDOUT reconfiguring",
                "HostFinished 2 bm02 CANCELLED",
                "StepFinished 2 CANCELLED",
                "RollbackStarted 2 undo-reconfig",
                "HostStarted r2 bm01",
                "HostFinished r2 bm01 SUCCEEDED",
                "RollbackFinished 2 SUCCEEDED",
                "RollbackStarted 1 revert",
                "HostStarted r1 bm01",
                "HostFinished r1 bm01 SUCCEEDED",
                "HostStarted r1 bm02",
                "HostFinished r1 bm02 SUCCEEDED",
                "RollbackFinished 1 SUCCEEDED",
                "RollbackStarted 0 start",
                "HostStarted r0 -",
                "HostFinished r0 - SUCCEEDED",
                "RollbackFinished 0 SUCCEEDED",
                "OperationFinished CANCELLED");
        assertThat(sink.hostResults().get(4)).satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
            assertThat(r.reason()).isEqualTo("by alice");
            assertThat(r.lastLine()).isEqualTo("reconfiguring");
        });
        assertThat(sink.summary()).isEqualTo("demo #17 cancelled by alice at step \"reconfig\" · ok 1 (bm01) · "
                + "cancelled 1 (bm02) · rolled back 3 steps");
        assertThat(fake.calls()).extracting(FakeExecutor.Call::toString).endsWith(
                "undo-reconfig@bm01", "revert@bm01", "revert@bm02", "start@-");
    }

    @Test
    void cancelledFailureStillRollsBackAndNamesTheFailedHosts() throws Exception {
        fake.on("deploy", "bm01", FakeExecutor.script().output("bad config").fail(1));
        fake.on("deploy", "bm02", FakeExecutor.script().awaitCancel());
        Operation op = op(31, step("deploy").hosts("bm01", "bm02", "bm03").parallel(2)
                .onHostFailure(OnHostFailure.CONTINUE).rollback(step("undeploy")));
        CompletableFuture<OperationState> f = runner.submit(op, sink);
        sink.awaitEvent("HostFinished 0 bm01 FAILED", WAIT);
        sink.awaitEvent("HostFinished 0 bm03", WAIT);

        assertThat(runner.cancel(op.id(), "bob")).isTrue();

        assertThat(await(f)).isEqualTo(OperationState.CANCELLED);
        assertThat(sink.events("HostFinished 0")).containsExactlyInAnyOrder("HostFinished 0 bm01 FAILED",
                "HostFinished 0 bm02 CANCELLED", "HostFinished 0 bm03 SUCCEEDED");
        assertThat(sink.events("StepFinished")).containsExactly("StepFinished 0 FAILED");
        assertThat(sink.events("HostStarted r0")).containsExactly("HostStarted r0 bm03");
        assertThat(sink.summary()).isEqualTo("demo #31 cancelled by bob at step \"deploy\": "
                + "bm01: exit 1 (bad config) · ok 1 (bm03) · failed 1 (bm01) · cancelled 1 (bm02) · "
                + "rolled back 1 step");
    }

    @Test
    void hostsNotYetStartedAreSkippedOnCancel() throws Exception {
        fake.byDefault(FakeExecutor.script().awaitCancel());
        Operation op = op(32, step("deploy").hosts("bm01", "bm02", "bm03"), step("next"));
        CompletableFuture<OperationState> f = runner.submit(op, sink);
        fake.awaitRunning(1, WAIT);

        assertThat(runner.cancel(op.id(), "alice")).isTrue();

        assertThat(await(f)).isEqualTo(OperationState.CANCELLED);
        assertThat(fake.hostsCalled()).containsExactly("bm01");
        assertThat(sink.events()).containsExactly(
                "OperationStarted",
                "StepStarted 0 deploy",
                "HostStarted 0 bm01",
                "HostFinished 0 bm01 CANCELLED",
                "StepFinished 0 CANCELLED",
                "OperationFinished CANCELLED");
        assertThat(sink.summary()).isEqualTo("demo #32 cancelled by alice at step \"deploy\" · cancelled 1 (bm01) · "
                + "skipped 2 (bm02, bm03)");
    }

    @Test
    void rollbacksAreNotStoppedByASecondCancel() throws Exception {
        fake.onStep("hang", FakeExecutor.script().awaitCancel());
        fake.onStep("undo", FakeExecutor.script().output("undoing").await("undo-done").succeed());
        Operation op = op(33, step("do").hosts("bm01").rollback(step("undo")), step("hang"));
        CompletableFuture<OperationState> f = runner.submit(op, sink);
        sink.awaitEvent("HostStarted 1 -", WAIT);
        fake.awaitRunning(1, WAIT);

        assertThat(runner.cancel(op.id(), "alice")).isTrue();
        sink.awaitEvent("Output r0 bm01 STDOUT undoing", WAIT);
        assertThat(op.state()).isEqualTo(OperationState.ROLLING_BACK);
        assertThat(runner.running()).containsExactly(op);
        assertThat(runner.cancel(op.id(), "alice")).isFalse();
        Thread.sleep(20);
        assertThat(f).isNotDone();
        fake.release("undo-done");

        assertThat(await(f)).isEqualTo(OperationState.CANCELLED);
        assertThat(sink.events("RollbackFinished")).containsExactly("RollbackFinished 0 SUCCEEDED");
        assertThat(sink.events("HostFinished r0")).containsExactly("HostFinished r0 bm01 SUCCEEDED");
    }

    @Test
    void failedRollbackIsReportedAndOtherRollbacksStillRun() throws Exception {
        fake.onStep("undo-b", FakeExecutor.script().output("cannot undo").fail(4));
        fake.onStep("c", FakeExecutor.script().fail(1));
        Operation op = op(34, step("a").rollback(step("undo-a")), step("b").hosts("bm01").rollback(step("undo-b")),
                step("c"));

        assertThat(await(runner.submit(op, sink))).isEqualTo(OperationState.FAILED);

        assertThat(sink.events("Rollback")).containsExactly(
                "RollbackStarted 1 undo-b", "RollbackFinished 1 FAILED",
                "RollbackStarted 0 undo-a", "RollbackFinished 0 SUCCEEDED");
        assertThat(sink.summary()).isEqualTo("demo #34 failed at step \"c\": exit 1 · rolled back 2 steps"
                + " · rollback of \"b\" failed: bm01: exit 4 (cannot undo)");
    }

    @Test
    void cancelOfAnUnknownOrFinishedOperationReturnsFalse() throws Exception {
        Operation op = op(35, step("quick"));
        assertThat(await(runner.submit(op, sink))).isEqualTo(OperationState.SUCCEEDED);

        assertThat(runner.cancel(op.id(), "alice")).isFalse();
        assertThat(runner.cancel(new OperationId(999), "alice")).isFalse();
        assertThat(sink.events("Rollback")).isEmpty();
    }

    @Test
    void stepsWithoutRollbackAreSkippedAndNoRollingBackStateWhenNothingToUndo() throws Exception {
        fake.onStep("b", FakeExecutor.script().fail(1));
        List<OperationState> seen = new CopyOnWriteArrayList<>();
        Operation op = op(36, step("a"), step("b"));
        org.buildduty.core.progress.ProgressSink watch = new org.buildduty.core.progress.ProgressSink() {
            @Override
            public void stepFinished(Operation o, int index, StepSpec step, StepOutcome outcome,
                    List<org.buildduty.core.exec.StepResult> results) {
                seen.add(o.state());
            }

            @Override
            public void operationFinished(Operation o, OperationState end, String summary) {
                seen.add(o.state());
            }
        };

        assertThat(await(runner.submit(op, watch))).isEqualTo(OperationState.FAILED);
        assertThat(seen).containsExactly(OperationState.RUNNING, OperationState.RUNNING, OperationState.FAILED);
    }

    /** The runner puts its own reason on a cancelled run but keeps the executor's word that it could not stop it. */
    @Test
    void aCommandThatCouldNotBeStoppedIsStillSaidSoAfterTheCancel() throws Exception {
        fake.on("work", "bm01", FakeExecutor.script().awaitCancel().notStopped("connection lost"));
        CompletableFuture<OperationState> f = runner.submit(op(19, step("work").hosts("bm01", "bm02")), sink);
        fake.awaitCall("bm01", WAIT);

        runner.cancel(new OperationId(19), "alice");

        assertThat(await(f)).isEqualTo(OperationState.CANCELLED);
        assertThat(sink.hostResults()).filteredOn(r -> "bm01".equals(r.host())).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
            assertThat(r.reason()).isEqualTo("by alice");
            assertThat(r.notStopped()).isEqualTo("connection lost");
        });
    }
}
