package org.buildduty.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.exec.testing.Processes.awaitGone;
import static org.buildduty.exec.testing.Processes.running;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.testing.RecordingProgressSink;

/** The runner driving real local processes. */
class LocalExecutorRunnerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Runner runner = Runner.builder().executor(new LocalExecutor(Duration.ofMillis(300)))
            .timerPeriod(Duration.ZERO).build();
    private final RecordingProgressSink sink = new RecordingProgressSink();

    @AfterEach
    void close() {
        runner.close();
    }

    private static Operation op(long id, StepSpec... steps) {
        return new Operation(new OperationId(id), new OperationPlan("local", Map.of(), List.of(steps),
                ApprovalPolicy.NONE, "hosts"), Identity.parse("console:local"), ChatAddress.of("console", "local"),
                Instant.now(), OperationState.QUEUED);
    }

    private static StepSpec step(String name, String command, List<String> hosts, StepSpec rollback) {
        return new StepSpec(name, "local", Map.of("command", command), hosts, 3, null, null, OnHostFailure.STOP,
                rollback);
    }

    @Test
    void fansOutRealProcessesAndStreamsTheirOutput() throws Exception {
        Operation op = op(51, step("hello", "echo hello from $BUILDDUTY_HOST; echo warn >&2",
                List.of("bm01", "bm02", "bm03"), null));

        assertThat(runner.submit(op, sink).get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .isEqualTo(OperationState.SUCCEEDED);
        assertThat(sink.events("Output")).containsExactlyInAnyOrder(
                "Output 0 bm01 STDOUT hello from bm01", "Output 0 bm01 STDERR warn",
                "Output 0 bm02 STDOUT hello from bm02", "Output 0 bm02 STDERR warn",
                "Output 0 bm03 STDOUT hello from bm03", "Output 0 bm03 STDERR warn");
    }

    @Test
    void failingCommandRollsBackAndSummarisesExitAndLastLine() throws Exception {
        Operation op = op(52,
                step("prepare", "true", List.of(), StepSpec.of("unprepare", "local", Map.of("command", "echo undone"))),
                step("reconfig", "echo checking; echo 'bad master.cfg'; exit 1", List.of("bm73"), null));

        assertThat(runner.submit(op, sink).get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .isEqualTo(OperationState.FAILED);
        assertThat(sink.events("Output r0")).containsExactly("Output r0 - STDOUT undone");
        assertThat(sink.summary()).isEqualTo(
                "local #52 failed at step \"reconfig\": bm73: exit 1 (bad master.cfg) · rolled back 1 step");
    }

    @Test
    void cancelStopsALongCommandQuickly() throws Exception {
        CompletableFuture<OperationState> f = runner.submit(op(53, step("sleep", "echo sleeping; sleep 60",
                List.of("bm01"), null)), sink);
        sink.awaitEvent("Output 0 bm01 STDOUT sleeping", WAIT);
        long start = System.nanoTime();

        assertThat(runner.cancel(new OperationId(53), "alice")).isTrue();

        assertThat(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(OperationState.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(sink.hostResults()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
            assertThat(r.lastLine()).isEqualTo("sleeping");
        });
    }

    /** Writes the pids of two children (one behind another shell), says "started" and waits for them. */
    private static final String PARENT = "sleep 300 & echo $!; sh -c 'sleep 301; true' & echo $!; echo started; wait";

    @Test
    void cancelKillsTheChildrenOfALocalStepToo() throws Exception {
        CompletableFuture<OperationState> f = runner.submit(op(54, step("wait", PARENT, List.of("bm01"), null)),
                sink);
        sink.awaitEvent("Output 0 bm01 STDOUT started", WAIT);
        List<Long> children = children();

        runner.cancel(new OperationId(54), "alice");

        assertThat(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(OperationState.CANCELLED);
        for (long pid : children) {
            awaitGone(pid, Duration.ofSeconds(3));
        }
    }

    @Test
    void aStepTimeoutKillsTheChildrenOfALocalStepToo() throws Exception {
        CompletableFuture<OperationState> f = runner.submit(op(55, new StepSpec("wait", "local",
                Map.of("command", PARENT), List.of("bm01"), 1, Duration.ofSeconds(1), null, OnHostFailure.STOP,
                null)), sink);
        sink.awaitEvent("Output 0 bm01 STDOUT started", WAIT);
        List<Long> children = children();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!f.isDone() && System.nanoTime() < deadline) {
            runner.checkTimers();
            Thread.sleep(50);
        }

        assertThat(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(OperationState.FAILED);
        assertThat(sink.hostResults()).singleElement().extracting(r -> r.outcome()).isEqualTo(StepOutcome.TIMED_OUT);
        for (long pid : children) {
            awaitGone(pid, Duration.ofSeconds(3));
        }
    }

    private List<Long> children() {
        List<Long> pids = sink.events("Output 0 bm01 STDOUT ").stream().map(e -> e.substring(e.lastIndexOf(' ') + 1))
                .filter(w -> w.matches("[0-9]+")).map(Long::valueOf).toList();
        assertThat(pids).hasSize(2).allSatisfy(pid -> assertThat(running(pid)).isTrue());
        return pids;
    }


}
