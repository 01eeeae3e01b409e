package org.buildduty.core.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.core.runner.Plans.WAIT;
import static org.buildduty.core.runner.Plans.op;
import static org.buildduty.core.runner.Plans.step;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.RecordingProgressSink;

class RunnerTimersTest {
    private final FakeTicker ticker = new FakeTicker();
    private final FakeExecutor fake = new FakeExecutor("fake", ticker);
    private final RecordingProgressSink sink = new RecordingProgressSink();
    private Runner runner = Runner.builder().executor(fake).ticker(ticker).timerPeriod(Duration.ZERO)
            .defaultStepTimeout(Duration.ofMinutes(30)).build();

    @AfterEach
    void close() {
        runner.close();
    }

    private static OperationState await(CompletableFuture<OperationState> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void timeoutCancelsTheHostRunAsTimedOutAndRollsBack() throws Exception {
        fake.onStep("deploy", FakeExecutor.script().output("working").awaitCancel());
        Operation op = op(21, step("prepare").rollback(step("unprepare")),
                step("deploy").hosts("bm01").timeout(Duration.ofMinutes(5)));
        CompletableFuture<OperationState> f = runner.submit(op, sink);
        sink.awaitEvent("Output 1 bm01", WAIT);

        ticker.advance(Duration.ofMinutes(4).plusSeconds(59));
        runner.checkTimers();
        Thread.sleep(20);
        assertThat(f).isNotDone();
        assertThat(fake.running()).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(1));
        runner.checkTimers();

        assertThat(await(f)).isEqualTo(OperationState.FAILED);
        assertThat(sink.events()).containsExactly(
                "OperationStarted",
                "StepStarted 0 prepare", "HostStarted 0 -", "HostFinished 0 - SUCCEEDED", "StepFinished 0 SUCCEEDED",
                "StepStarted 1 deploy", "HostStarted 1 bm01", "Output 1 bm01 STDOUT working",
                "HostFinished 1 bm01 TIMED_OUT", "StepFinished 1 TIMED_OUT",
                "RollbackStarted 0 unprepare", "HostStarted r0 -", "HostFinished r0 - SUCCEEDED",
                "RollbackFinished 0 SUCCEEDED",
                "OperationFinished FAILED");
        assertThat(sink.hostResults().get(1)).satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(StepOutcome.TIMED_OUT);
            assertThat(r.reason()).isEqualTo("after 5m");
            assertThat(r.lastLine()).isEqualTo("working");
        });
        assertThat(sink.summary()).isEqualTo(
                "demo #21 failed at step \"deploy\": bm01: timed out - after 5m (working) · rolled back 1 step");
    }

    @Test
    void stepWithoutTimeoutUsesTheRunnerDefault() throws Exception {
        fake.byDefault(FakeExecutor.script().awaitCancel());
        CompletableFuture<OperationState> f = runner.submit(op(22, step("slow").hosts("bm01")), sink);
        fake.awaitRunning(1, WAIT);

        ticker.advance(Duration.ofMinutes(29));
        runner.checkTimers();
        Thread.sleep(20);
        assertThat(f).isNotDone();
        ticker.advance(Duration.ofMinutes(1));
        runner.checkTimers();

        assertThat(await(f)).isEqualTo(OperationState.FAILED);
        assertThat(sink.events("HostFinished")).containsExactly("HostFinished 0 bm01 TIMED_OUT");
        assertThat(sink.hostResults().get(0).reason()).isEqualTo("after 30m");
    }

    @Test
    void stuckHostIsReportedOnceWithItsLastLineAndReArmedByOutput() throws Exception {
        fake.byDefault(FakeExecutor.script().output("fetching").await("more").output("reconfiguring")
                .await("done").succeed());
        Operation op = op(23, step("reconfig").hosts("bm73").stuckAfter(Duration.ofMinutes(2)));
        CompletableFuture<OperationState> f = runner.submit(op, sink);
        sink.awaitEvent("Output 0 bm73 STDOUT fetching", WAIT);

        ticker.advance(Duration.ofSeconds(119));
        runner.checkTimers();
        assertThat(sink.events("HostStuck")).isEmpty();
        ticker.advance(Duration.ofSeconds(1));
        runner.checkTimers();
        ticker.advance(Duration.ofMinutes(1));
        runner.checkTimers();
        runner.checkTimers();
        assertThat(sink.events("HostStuck")).containsExactly("HostStuck 0 bm73 PT2M fetching");

        fake.release("more");
        sink.awaitEvent("Output 0 bm73 STDOUT reconfiguring", WAIT);
        ticker.advance(Duration.ofMinutes(1));
        runner.checkTimers();
        assertThat(sink.events("HostStuck")).hasSize(1);
        ticker.advance(Duration.ofMinutes(2));
        runner.checkTimers();
        runner.checkTimers();
        fake.release("done");

        assertThat(await(f)).isEqualTo(OperationState.SUCCEEDED);
        assertThat(sink.events()).containsExactly(
                "OperationStarted",
                "StepStarted 0 reconfig",
                "HostStarted 0 bm73",
                "Output 0 bm73 STDOUT fetching",
                "HostStuck 0 bm73 PT2M fetching",
                "Output 0 bm73 STDOUT reconfiguring",
                "HostStuck 0 bm73 PT3M reconfiguring",
                "HostFinished 0 bm73 SUCCEEDED",
                "StepFinished 0 SUCCEEDED",
                "OperationFinished SUCCEEDED");
    }

    @Test
    void silentFromTheStartCountsFromTheHostStart() throws Exception {
        fake.byDefault(FakeExecutor.script().await("go").succeed());
        CompletableFuture<OperationState> f = runner.submit(
                op(24, step("quiet").hosts("bm01", "bm02").parallel(2).stuckAfter(Duration.ofSeconds(30))), sink);
        fake.awaitRunning(2, WAIT);

        ticker.advance(Duration.ofSeconds(30));
        runner.checkTimers();
        fake.release("go");

        assertThat(await(f)).isEqualTo(OperationState.SUCCEEDED);
        assertThat(sink.events("HostStuck")).containsExactlyInAnyOrder("HostStuck 0 bm01 PT30S ",
                "HostStuck 0 bm02 PT30S ");
    }

    @Test
    void backgroundTimerEnforcesTimeouts() throws Exception {
        runner.close();
        runner = Runner.builder().executor(fake).ticker(ticker).timerPeriod(Duration.ofMillis(5)).build();
        fake.byDefault(FakeExecutor.script().awaitCancel());
        CompletableFuture<OperationState> f = runner.submit(
                op(25, step("slow").hosts("bm01").timeout(Duration.ofMinutes(1))), sink);
        fake.awaitRunning(1, WAIT);

        ticker.advance(Duration.ofMinutes(1));

        assertThat(await(f)).isEqualTo(OperationState.FAILED);
        assertThat(sink.events("HostFinished")).containsExactly("HostFinished 0 bm01 TIMED_OUT");
    }

    @Test
    void aRunnerWhoseTimersTheCallerChecksRunsNoTimerOfItsOwn() throws Exception {
        runner.close();
        runner = Runner.builder().executor(fake).ticker(ticker).timerPeriod(Duration.ofMillis(5)).build();
        runner.checkTimersFromCaller();
        fake.byDefault(FakeExecutor.script().awaitCancel());
        CompletableFuture<OperationState> f = runner.submit(
                op(27, step("slow").hosts("bm01").timeout(Duration.ofMinutes(1))), sink);
        fake.awaitRunning(1, WAIT);

        ticker.advance(Duration.ofMinutes(1));
        Thread.sleep(100); // twenty periods of the timer the runner was built with

        assertThat(f).as("nothing but the caller's check times it out").isNotDone();
        runner.checkTimers();
        assertThat(await(f)).isEqualTo(OperationState.FAILED);
        assertThat(sink.events("HostFinished")).containsExactly("HostFinished 0 bm01 TIMED_OUT");
    }

    @Test
    void rollbackHostRunsHaveTheirOwnTimeout() throws Exception {
        fake.onStep("break", FakeExecutor.script().fail(1));
        fake.onStep("undo", FakeExecutor.script().awaitCancel());
        Operation op = op(26, step("do").hosts("bm01").rollback(step("undo").timeout(Duration.ofMinutes(2))),
                step("break"));
        CompletableFuture<OperationState> f = runner.submit(op, sink);
        sink.awaitEvent("HostStarted r0 bm01", WAIT);
        assertThat(op.state()).isEqualTo(OperationState.ROLLING_BACK);

        ticker.advance(Duration.ofMinutes(2));
        runner.checkTimers();

        assertThat(await(f)).isEqualTo(OperationState.FAILED);
        assertThat(sink.events("RollbackFinished")).containsExactly("RollbackFinished 0 TIMED_OUT");
        assertThat(sink.summary()).isEqualTo("demo #26 failed at step \"break\": exit 1 · rolled back 1 step"
                + " · rollback of \"do\" timed out: bm01: timed out - after 2m");
    }
}
