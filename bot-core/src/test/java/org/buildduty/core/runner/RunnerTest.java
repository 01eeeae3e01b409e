package org.buildduty.core.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.buildduty.core.runner.Plans.WAIT;
import static org.buildduty.core.runner.Plans.hosts;
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
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.ProgressSink;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.RecordingProgressSink;

class RunnerTest {
    private final FakeTicker ticker = new FakeTicker();
    private final FakeExecutor fake = new FakeExecutor("fake", ticker);
    private final RecordingProgressSink sink = new RecordingProgressSink();
    private Runner runner = runner(32);

    private Runner runner(int max) {
        return Runner.builder().executor(fake).ticker(ticker).maxConcurrentHostRuns(max)
                .timerPeriod(Duration.ZERO).closeGrace(Duration.ofSeconds(2)).build();
    }

    @AfterEach
    void close() {
        runner.close();
    }

    private static OperationState await(CompletableFuture<OperationState> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void singleHostStepSucceedsWithExactEventSequence() throws Exception {
        fake.byDefault(FakeExecutor.script().output("hello", "world").succeed());
        Operation op = op(3, step("greet").hosts("bm01"));
        ticker.advance(Duration.ofSeconds(62));

        OperationState end = await(runner.submit(op, sink));

        assertThat(end).isEqualTo(OperationState.SUCCEEDED);
        assertThat(op.state()).isEqualTo(OperationState.SUCCEEDED);
        assertThat(sink.events()).containsExactly(
                "OperationStarted",
                "StepStarted 0 greet",
                "HostStarted 0 bm01",
                "Output 0 bm01 STDOUT hello",
                "Output 0 bm01 STDOUT world",
                "HostFinished 0 bm01 SUCCEEDED",
                "StepFinished 0 SUCCEEDED",
                "OperationFinished SUCCEEDED");
        assertThat(sink.summary()).isEqualTo("demo #3 succeeded in 0s");
        assertThat(sink.hostResults()).singleElement().satisfies(r -> {
            assertThat(r.lastLine()).isEqualTo("world");
            assertThat(r.exitCode()).isZero();
        });
        assertThat(runner.running()).isEmpty();
    }

    @Test
    void aFailuresLastLineIsTheLastLineOnStderrWhenThereIsOne() throws Exception {
        fake.byDefault(FakeExecutor.script().output("copying files").stderr("cp: /srv/x: No space left on device")
                .output("cleaning up", "done").fail(1));
        Operation op = op(5, step("copy").hosts("bm01"));

        assertThat(await(runner.submit(op, sink))).isEqualTo(OperationState.FAILED);
        assertThat(sink.hostResults()).singleElement().satisfies(r -> {
            assertThat(r.lastLine()).isEqualTo("cp: /srv/x: No space left on device");
            assertThat(r.reason()).isEqualTo("exit 1");
        });
        assertThat(sink.summary()).contains("No space left on device");
    }

    @Test
    void summaryReportsDurationFromTicker() throws Exception {
        fake.byDefault(FakeExecutor.script().await("go").succeed());
        CompletableFuture<OperationState> f = runner.submit(op(4, step("wait")), sink);
        fake.awaitRunning(1, WAIT);
        ticker.advance(Duration.ofSeconds(62));
        fake.release("go");

        assertThat(await(f)).isEqualTo(OperationState.SUCCEEDED);
        assertThat(sink.summary()).isEqualTo("demo #4 succeeded in 1m 2s");
    }

    @Test
    void stepWithoutHostsRunsOnceWithNoHost() throws Exception {
        assertThat(await(runner.submit(op(1, step("one"), step("two")), sink))).isEqualTo(OperationState.SUCCEEDED);

        assertThat(sink.events()).containsExactly(
                "OperationStarted",
                "StepStarted 0 one", "HostStarted 0 -", "HostFinished 0 - SUCCEEDED", "StepFinished 0 SUCCEEDED",
                "StepStarted 1 two", "HostStarted 1 -", "HostFinished 1 - SUCCEEDED", "StepFinished 1 SUCCEEDED",
                "OperationFinished SUCCEEDED");
        assertThat(fake.calls()).extracting(FakeExecutor.Call::step).containsExactly("one", "two");
        assertThat(fake.hostsCalled()).containsExactly(null, null);
    }

    @Test
    void fanOutOverFiftyHostsNeverExceedsParallel() throws Exception {
        fake.byDefault(FakeExecutor.script().await("go").succeed());
        CompletableFuture<OperationState> f = runner.submit(op(1, step("deploy").hosts(hosts(50)).parallel(10)),
                sink);

        fake.awaitRunning(10, WAIT);
        Thread.sleep(50); // room for a wrong runner to start more
        assertThat(fake.running()).isEqualTo(10);
        assertThat(fake.calls()).hasSize(10);
        fake.release("go");

        assertThat(await(f)).isEqualTo(OperationState.SUCCEEDED);
        assertThat(fake.maxConcurrency()).isEqualTo(10);
        assertThat(fake.hostsCalled()).containsExactlyInAnyOrderElementsOf(hosts(50));
        assertThat(sink.events("HostFinished 0 ")).hasSize(50).allMatch(e -> e.endsWith(" SUCCEEDED"));
        assertThat(sink.hostResults()).extracting(StepResult::host).containsExactlyInAnyOrderElementsOf(hosts(50));
    }

    @Test
    void fanOutWithoutBlockingStaysWithinParallel() throws Exception {
        fake.byDefault(FakeExecutor.script().output("a", "b", "c").succeed());
        assertThat(await(runner.submit(op(1, step("deploy").hosts(hosts(50)).parallel(10)), sink)))
                .isEqualTo(OperationState.SUCCEEDED);
        assertThat(fake.maxConcurrency()).isBetween(1, 10);
        assertThat(sink.events("Output 0 ")).hasSize(150);
        assertThat(sink.events("HostFinished 0 ")).hasSize(50);
    }

    @Test
    void overallLimitHoldsAcrossOperations() throws Exception {
        runner.close();
        runner = runner(4);
        fake.byDefault(FakeExecutor.script().await("go").succeed());
        RecordingProgressSink other = new RecordingProgressSink();
        CompletableFuture<OperationState> a = runner.submit(op(1, step("a").hosts(hosts(8)).parallel(10)), sink);
        CompletableFuture<OperationState> b = runner.submit(op(2, step("b").hosts(hosts(8)).parallel(10)), other);

        fake.awaitRunning(4, WAIT);
        Thread.sleep(50);
        assertThat(fake.running()).isEqualTo(4);
        assertThat(runner.running()).extracting(o -> o.id().value()).containsExactly(1L, 2L);
        fake.release("go");

        assertThat(await(a)).isEqualTo(OperationState.SUCCEEDED);
        assertThat(await(b)).isEqualTo(OperationState.SUCCEEDED);
        assertThat(fake.maxConcurrency()).isEqualTo(4);
        assertThat(fake.calls()).hasSize(16);
    }

    @Test
    void stopPolicyStartsNoNewHostAfterAFailureAndRollsBackSucceededHosts() throws Exception {
        fake.on("deploy", "bm01", FakeExecutor.script().await("go").succeed());
        fake.on("deploy", "bm02", FakeExecutor.script().output("boom").fail(1));
        Operation op = op(17, step("deploy").hosts(hosts(6)).parallel(2).rollback(step("undeploy").parallel(4)));
        CompletableFuture<OperationState> f = runner.submit(op, sink);

        sink.awaitEvent("HostFinished 0 bm02", WAIT);
        Thread.sleep(30); // a wrong runner would start bm03 now
        assertThat(fake.hostsCalled()).containsExactlyInAnyOrder("bm01", "bm02");
        fake.release("go");

        assertThat(await(f)).isEqualTo(OperationState.FAILED);
        List<String> events = sink.events();
        // bm01 and bm02 start in parallel, so only the order that the runner guarantees is checked
        assertThat(events).containsExactlyInAnyOrder(
                "OperationStarted",
                "StepStarted 0 deploy",
                "HostStarted 0 bm01",
                "HostStarted 0 bm02",
                "Output 0 bm02 STDOUT boom",
                "HostFinished 0 bm02 FAILED",
                "HostFinished 0 bm01 SUCCEEDED",
                "StepFinished 0 FAILED",
                "RollbackStarted 0 undeploy",
                "HostStarted r0 bm01",
                "HostFinished r0 bm01 SUCCEEDED",
                "RollbackFinished 0 SUCCEEDED",
                "OperationFinished FAILED");
        assertThat(events.subList(0, 2)).containsExactly("OperationStarted", "StepStarted 0 deploy");
        assertThat(events.indexOf("HostStarted 0 bm02")).isLessThan(events.indexOf("Output 0 bm02 STDOUT boom"));
        assertThat(events.indexOf("Output 0 bm02 STDOUT boom"))
                .isLessThan(events.indexOf("HostFinished 0 bm02 FAILED"));
        assertThat(events.indexOf("HostFinished 0 bm02 FAILED"))
                .isLessThan(events.indexOf("HostFinished 0 bm01 SUCCEEDED"));
        assertThat(events.subList(events.indexOf("HostFinished 0 bm01 SUCCEEDED"), events.size())).containsExactly(
                "HostFinished 0 bm01 SUCCEEDED",
                "StepFinished 0 FAILED",
                "RollbackStarted 0 undeploy",
                "HostStarted r0 bm01",
                "HostFinished r0 bm01 SUCCEEDED",
                "RollbackFinished 0 SUCCEEDED",
                "OperationFinished FAILED");
        assertThat(sink.hostResults().subList(0, 2)).extracting(StepResult::outcome)
                .containsExactly(StepOutcome.FAILED, StepOutcome.SUCCEEDED);
        assertThat(sink.summary()).isEqualTo("demo #17 failed at step \"deploy\": bm02: exit 1 (boom)"
                + " · ok 1 (bm01) · failed 1 (bm02) · skipped 4 (bm03, bm04, bm05, bm06) · rolled back 1 step");
        assertThat(fake.calls()).extracting(c -> c.step() + "@" + c.host())
                .containsExactlyInAnyOrder("deploy@bm01", "deploy@bm02", "undeploy@bm01")
                .last().isEqualTo("undeploy@bm01");
    }

    @Test
    void stopPolicyMarksUnstartedHostsSkipped() throws Exception {
        fake.on("deploy", "bm01", FakeExecutor.script().fail(2));
        List<List<StepResult>> stepResults = new CopyOnWriteArrayList<>();
        ProgressSink capture = new ProgressSink() {
            @Override
            public void stepFinished(Operation op, int index, StepSpec step, StepOutcome outcome,
                    List<StepResult> results) {
                stepResults.add(results);
            }
        };
        assertThat(await(runner.submit(op(1, step("deploy").hosts(hosts(4)), step("never")), capture)))
                .isEqualTo(OperationState.FAILED);

        assertThat(stepResults).hasSize(1);
        assertThat(stepResults.get(0)).extracting(StepResult::outcome).containsExactly(StepOutcome.FAILED,
                StepOutcome.SKIPPED, StepOutcome.SKIPPED, StepOutcome.SKIPPED);
        assertThat(stepResults.get(0).get(1).reason()).isEqualTo("not started: an earlier host failed");
        assertThat(fake.hostsCalled()).containsExactly("bm01");
    }

    @Test
    void continuePolicyRunsAllHostsAndFailsAtTheEnd() throws Exception {
        fake.on("deploy", "bm02", FakeExecutor.script().output("disk full").fail(1));
        fake.on("deploy", "bm05", FakeExecutor.script().fail(3));
        Operation op = op(8, step("deploy").hosts(hosts(6)).parallel(2).onHostFailure(OnHostFailure.CONTINUE),
                step("after"));

        assertThat(await(runner.submit(op, sink))).isEqualTo(OperationState.FAILED);

        assertThat(fake.hostsCalled()).containsExactlyInAnyOrderElementsOf(hosts(6));
        assertThat(sink.events("HostFinished 0 ")).hasSize(6);
        assertThat(sink.events("StepFinished")).containsExactly("StepFinished 0 FAILED");
        assertThat(sink.events("StepStarted")).containsExactly("StepStarted 0 deploy");
        assertThat(sink.summary())
                .isEqualTo("demo #8 failed at step \"deploy\": bm02: exit 1 (disk full); bm05: exit 3"
                        + " · ok 4 (bm01, bm03, bm04, bm06) · failed 2 (bm02, bm05)");
    }

    @Test
    void summaryNamesAtMostThreeFailedHosts() throws Exception {
        fake.byDefault(FakeExecutor.script().fail(1));
        Operation op = op(9, step("deploy").hosts(hosts(5)).onHostFailure(OnHostFailure.CONTINUE));

        assertThat(await(runner.submit(op, sink))).isEqualTo(OperationState.FAILED);
        assertThat(sink.summary()).isEqualTo(
                "demo #9 failed at step \"deploy\": bm01: exit 1; bm02: exit 1; bm03: exit 1; +2 more"
                + " · failed 5 (bm01, bm02, bm03, bm04, bm05)");
    }

    @Test
    void executorThatThrowsBecomesAFailedResult() throws Exception {
        fake.byDefault(FakeExecutor.script().output("started").throwing(new IllegalStateException("bug")));

        assertThat(await(runner.submit(op(5, step("broken").hosts("bm01")), sink)))
                .isEqualTo(OperationState.FAILED);

        assertThat(sink.hostResults()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
            assertThat(r.reason()).isEqualTo("internal error: IllegalStateException");
            assertThat(r.lastLine()).isEqualTo("started");
        });
        assertThat(sink.summary()).isEqualTo(
                "demo #5 failed at step \"broken\": bm01: failed - internal error: IllegalStateException (started)");
        fake.byDefault(FakeExecutor.script());
        assertThat(await(runner.submit(op(6, step("fine").hosts(hosts(3))), new RecordingProgressSink())))
                .isEqualTo(OperationState.SUCCEEDED);
    }

    @Test
    void unknownStepKindFailsTheStepWithAClearReason() throws Exception {
        Operation op = op(7, step("first").rollback(step("undo-first")), step("mystery").kind("nope").hosts("bm01"));

        assertThat(await(runner.submit(op, sink))).isEqualTo(OperationState.FAILED);

        assertThat(sink.events()).containsExactly(
                "OperationStarted",
                "StepStarted 0 first", "HostStarted 0 -", "HostFinished 0 - SUCCEEDED", "StepFinished 0 SUCCEEDED",
                "StepStarted 1 mystery", "StepFinished 1 FAILED",
                "RollbackStarted 0 undo-first", "HostStarted r0 -", "HostFinished r0 - SUCCEEDED",
                "RollbackFinished 0 SUCCEEDED",
                "OperationFinished FAILED");
        assertThat(sink.summary()).isEqualTo(
                "demo #7 failed at step \"mystery\": bm01: failed - unknown step kind \"nope\" · rolled back 1 step");
    }

    @Test
    void throwingSinkDoesNotBreakTheRunner() throws Exception {
        ProgressSink broken = new ProgressSink() {
            @Override
            public void operationStarted(Operation op) {
                throw new IllegalStateException("sink bug");
            }

            @Override
            public void hostFinished(Operation op, int index, StepSpec step, StepResult result) {
                throw new IllegalStateException("sink bug");
            }

            @Override
            public void operationFinished(Operation op, OperationState end, String summary) {
                throw new IllegalStateException("sink bug");
            }
        };
        fake.byDefault(FakeExecutor.script().output("x"));

        assertThat(await(runner.submit(op(1, step("a").hosts(hosts(3)).parallel(3)), broken)))
                .isEqualTo(OperationState.SUCCEEDED);
        assertThat(fake.calls()).hasSize(3);
    }

    @Test
    void refusesAnOperationThatIsRunningOrFinished() throws Exception {
        fake.byDefault(FakeExecutor.script().await("go").succeed());
        Operation op = op(11, step("a"));
        CompletableFuture<OperationState> f = runner.submit(op, sink);

        assertThatThrownBy(() -> runner.submit(op, sink)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("demo #11");
        assertThat(runner.running(op.id())).containsSame(op);
        assertThat(op.state()).isEqualTo(OperationState.RUNNING);
        fake.release("go");
        assertThat(await(f)).isEqualTo(OperationState.SUCCEEDED);

        assertThatThrownBy(() -> runner.submit(op, sink)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("succeeded");
        assertThat(runner.running(op.id())).isEmpty();
    }

    @Test
    void closeCancelsRunningOperationsAsShutdown() throws Exception {
        fake.byDefault(FakeExecutor.script().awaitCancel());
        CompletableFuture<OperationState> f = runner.submit(op(12, step("hang").hosts("bm01")), sink);
        fake.awaitRunning(1, WAIT);

        runner.close();

        assertThat(await(f)).isEqualTo(OperationState.CANCELLED);
        assertThat(sink.summary()).isEqualTo("demo #12 cancelled by shutdown at step \"hang\"");
        assertThatThrownBy(() -> runner.submit(op(13, step("late")), sink)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builderRejectsTwoExecutorsOfOneKind() {
        assertThatThrownBy(() -> Runner.builder().executor(new FakeExecutor("x")).executor(new FakeExecutor("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"x\"");
    }
}
