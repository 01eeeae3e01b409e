package org.buildduty.core.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.core.runner.Plans.WAIT;
import static org.buildduty.core.runner.Plans.op;
import static org.buildduty.core.runner.Plans.step;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.RecordingProgressSink;

/** A step's {@code retries}: a failed host is run again alone, after a delay on the injected ticker. */
class RunnerRetryTest {
    private final FakeTicker ticker = new FakeTicker();
    private final Flaky flaky = new Flaky();
    private final RecordingProgressSink sink = new RecordingProgressSink();
    private final Runner runner = Runner.builder().executor(flaky).ticker(ticker).timerPeriod(Duration.ZERO)
            .build();

    /** Fails a host as many times as it is told to, then succeeds; counts calls per host. */
    private static final class Flaky implements StepExecutor {
        final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        /** Hosts whose first call hangs until the runner cancels it (a timeout). */
        final Map<String, Boolean> hangFirst = new ConcurrentHashMap<>();
        /** Why the cancelled first call of a host in {@link #hangFirst} could not stop its command, by host. */
        final Map<String, String> notStopped = new ConcurrentHashMap<>();

        @Override
        public String kind() {
            return "fake";
        }

        @Override
        public StepResult execute(ExecRequest request, ExecContext context) {
            String host = request.host() + "/" + request.step().name();
            int n = calls.computeIfAbsent(host, k -> new AtomicInteger()).incrementAndGet();
            if (n == 1 && hangFirst.containsKey(host)) {
                while (!context.cancelled()) {
                    Thread.onSpinWait();
                }
                return new StepResult(org.buildduty.core.exec.StepOutcome.CANCELLED, request.host(), null, "", "")
                        .withNotStopped(notStopped.getOrDefault(host, ""));
            }
            AtomicInteger left = failuresLeft.get(host);
            if (left != null && left.getAndDecrement() > 0) {
                return StepResult.failed(request.host(), 1, "exit 1", "boom");
            }
            return StepResult.succeeded(request.host(), 0, "ok");
        }

        int calls(String host) {
            return calls.getOrDefault(host, new AtomicInteger()).get();
        }
    }

    @AfterEach
    void close() {
        runner.close();
    }

    private static OperationState await(CompletableFuture<OperationState> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void awaitEvents(String prefix, int n) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (sink.events(prefix).size() < n && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(sink.events(prefix)).hasSize(n);
    }

    @Test
    void failedHostIsRetriedAloneAfterTheDelayAndItsLastAttemptCounts() throws Exception {
        flaky.failuresLeft.put("bm02/deploy", new AtomicInteger(2));
        CompletableFuture<OperationState> f = runner.submit(op(31,
                step("deploy").hosts("bm01", "bm02", "bm03").retries(3, Duration.ofSeconds(30))), sink);

        awaitEvents("HostRetrying", 1);
        Thread.sleep(30);
        assertThat(flaky.calls("bm02/deploy")).isEqualTo(1);
        assertThat(f).isNotDone();
        ticker.advance(Duration.ofSeconds(29));
        runner.checkTimers();
        Thread.sleep(30);
        assertThat(flaky.calls("bm02/deploy")).isEqualTo(1);
        ticker.advance(Duration.ofSeconds(1));
        runner.checkTimers();
        awaitEvents("HostRetrying", 2);
        ticker.advance(Duration.ofSeconds(30));
        runner.checkTimers();

        assertThat(await(f)).isEqualTo(OperationState.SUCCEEDED);
        assertThat(flaky.calls("bm01/deploy")).isEqualTo(1);
        assertThat(flaky.calls("bm02/deploy")).isEqualTo(3);
        assertThat(flaky.calls("bm03/deploy")).isEqualTo(1);
        assertThat(sink.events("HostRetrying")).containsExactly("HostRetrying 0 bm02 FAILED 1/3 PT30S",
                "HostRetrying 0 bm02 FAILED 2/3 PT30S");
        assertThat(sink.events("HostStarted")).filteredOn(e -> e.contains("bm02")).hasSize(3);
        assertThat(sink.events("HostFinished")).containsExactlyInAnyOrder("HostFinished 0 bm01 SUCCEEDED",
                "HostFinished 0 bm02 SUCCEEDED", "HostFinished 0 bm03 SUCCEEDED");
    }

    @Test
    void retriesRunOutAndTheStepFailsAndRollsBackWithTheFinalResult() throws Exception {
        flaky.failuresLeft.put("bm02/deploy", new AtomicInteger(5));
        CompletableFuture<OperationState> f = runner.submit(op(32, step("prepare").hosts("bm01", "bm02")
                .rollback(step("unprepare")), step("deploy").hosts("bm01", "bm02").retries(1, Duration.ZERO)
                .rollback(step("undeploy"))), sink);

        assertThat(await(f)).isEqualTo(OperationState.FAILED);
        assertThat(flaky.calls("bm02/deploy")).isEqualTo(2);
        assertThat(sink.events("HostRetrying")).containsExactly("HostRetrying 1 bm02 FAILED 1/1 PT0S");
        assertThat(sink.events("HostFinished 1 ")).containsExactlyInAnyOrder("HostFinished 1 bm01 SUCCEEDED",
                "HostFinished 1 bm02 FAILED");
        // undeploy only where deploy finally succeeded, unprepare on both
        assertThat(flaky.calls("bm01/undeploy")).isEqualTo(1);
        assertThat(flaky.calls("bm02/undeploy")).isZero();
        assertThat(flaky.calls("bm02/unprepare")).isEqualTo(1);
    }

    @Test
    void cancelStopsAWaitingRetry() throws Exception {
        flaky.failuresLeft.put("bm01/deploy", new AtomicInteger(5));
        Operation op = op(33, step("deploy").hosts("bm01").retries(3, Duration.ofMinutes(1)));
        CompletableFuture<OperationState> f = runner.submit(op, sink);
        awaitEvents("HostRetrying", 1);

        assertThat(runner.cancel(op.id(), "alice")).isTrue();
        assertThat(await(f)).isEqualTo(OperationState.CANCELLED);
        ticker.advance(Duration.ofMinutes(5));
        runner.checkTimers();
        assertThat(flaky.calls("bm01/deploy")).isEqualTo(1);
        assertThat(sink.events("HostRetrying")).hasSize(1);
        // the host's result is its last attempt's, already journaled when the retry was announced
        assertThat(sink.events("StepFinished")).containsExactly("StepFinished 0 FAILED");
        assertThat(sink.summary()).contains("bm01: exit 1");
    }

    @Test
    void aTimedOutHostIsRetried() throws Exception {
        flaky.hangFirst.put("bm01/deploy", true);
        CompletableFuture<OperationState> f = runner.submit(op(34, step("deploy").hosts("bm01")
                .timeout(Duration.ofMinutes(1)).retries(2, Duration.ZERO)), sink);
        long end = System.nanoTime() + WAIT.toNanos();
        while (flaky.calls("bm01/deploy") < 1 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        ticker.advance(Duration.ofMinutes(1));
        runner.checkTimers();

        assertThat(await(f)).isEqualTo(OperationState.SUCCEEDED);
        assertThat(sink.events("HostRetrying")).containsExactly("HostRetrying 0 bm01 TIMED_OUT 1/2 PT0S");
        assertThat(flaky.calls("bm01/deploy")).isEqualTo(2);
    }

    /** A timed-out attempt whose command may still run is not run a second time beside it. */
    @Test
    void aTimedOutHostWhoseCommandCouldNotBeStoppedIsNotRetried() throws Exception {
        flaky.hangFirst.put("bm01/deploy", true);
        flaky.notStopped.put("bm01/deploy", "connection lost");
        CompletableFuture<OperationState> f = runner.submit(op(35, step("deploy").hosts("bm01")
                .timeout(Duration.ofMinutes(1)).retries(2, Duration.ZERO)), sink);
        long end = System.nanoTime() + WAIT.toNanos();
        while (flaky.calls("bm01/deploy") < 1 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        ticker.advance(Duration.ofMinutes(1));
        runner.checkTimers();

        assertThat(await(f)).isEqualTo(OperationState.FAILED);
        assertThat(sink.events("HostRetrying")).isEmpty();
        assertThat(flaky.calls("bm01/deploy")).isEqualTo(1);
        assertThat(sink.hostResults()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(org.buildduty.core.exec.StepOutcome.TIMED_OUT);
            assertThat(r.notStopped()).isEqualTo("connection lost");
        });
    }
}
