package org.buildduty.core.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.time.Ticker;

/**
 * A scriptable {@link StepExecutor}: per step and host it writes output lines, waits on named gates or for a cancel,
 * then succeeds, fails with an exit code, or throws. It records every call and the highest concurrency it saw.
 *
 * <pre>{@code
 * FakeExecutor fake = new FakeExecutor("fake")
 *         .onHost("bm02", FakeExecutor.script().output("boom").fail(1))
 *         .onStep("slow", FakeExecutor.script().await("go-{host}").succeed());
 * ...
 * fake.release("go-bm01");
 * assertThat(fake.maxConcurrency()).isLessThanOrEqualTo(10);
 * }</pre>
 * Scripts are looked up by step and host, then host, then step, then the default (which succeeds). A gate name may
 * contain {@code {host}}. A waiting script whose run is cancelled returns {@code CANCELLED} at once. As a safety net
 * nothing waits longer than a minute.
 */
public final class FakeExecutor implements StepExecutor {
    private static final Duration SAFETY = Duration.ofMinutes(1);

    private final String kind;
    private final Ticker ticker;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> gates = new ConcurrentHashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private volatile Script fallback = script();
    private int running;
    private int maxRunning;

    /** A fake for step kind {@code fake}, stamping calls with the system clock. */
    public FakeExecutor() {
        this("fake");
    }

    public FakeExecutor(String kind) {
        this(kind, Ticker.system());
    }

    public FakeExecutor(String kind, Ticker ticker) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** A script that succeeds; add actions and an ending to it. */
    public static Script script() {
        return new Script(List.of(), Ending.SUCCEED, 0, null, "");
    }

    @Override
    public String kind() {
        return kind;
    }

    public FakeExecutor byDefault(Script script) {
        this.fallback = Objects.requireNonNull(script);
        return this;
    }

    public FakeExecutor onHost(String host, Script script) {
        scripts.put("host:" + host, script);
        return this;
    }

    public FakeExecutor onStep(String stepName, Script script) {
        scripts.put("step:" + stepName, script);
        return this;
    }

    public FakeExecutor on(String stepName, String host, Script script) {
        scripts.put("both:" + stepName + "/" + host, script);
        return this;
    }

    /** Opens a gate: runs waiting on it carry on, and later ones pass at once. */
    public void release(String gate) {
        gate(gate).complete(null);
    }

    @Override
    public StepResult execute(ExecRequest request, ExecContext context) {
        String host = request.host();
        String step = request.step().name();
        Script script = scripts.get("both:" + step + "/" + host);
        script = script != null ? script : scripts.get("host:" + host);
        script = script != null ? script : scripts.get("step:" + step);
        script = script != null ? script : fallback;
        Call call = new Call(request.operation(), step, host, ticker.now());
        synchronized (this) {
            calls.add(call);
            running++;
            maxRunning = Math.max(maxRunning, running);
            notifyAll();
        }
        StepResult result = null;
        try {
            result = run(script, host, context);
            return result;
        } finally {
            synchronized (this) {
                running--;
                call.end(ticker.now(), result);
                notifyAll();
            }
        }
    }

    private StepResult run(Script script, String host, ExecContext context) {
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        context.onCancel(() -> cancelled.complete(null));
        String last = "";
        for (Action a : script.actions) {
            if (a.gate == null) {
                context.output(a.stream, a.line);
                last = a.line;
                continue;
            }
            CompletableFuture<Void> gate = a.gate.isEmpty() ? new CompletableFuture<>()
                    : gate(a.gate.replace("{host}", host == null ? "-" : host));
            try {
                CompletableFuture.anyOf(gate, cancelled).get(SAFETY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new StepResult(StepOutcome.CANCELLED, host, null, "interrupted", last);
            } catch (ExecutionException | TimeoutException e) {
                return StepResult.failed(host, null, "fake waited too long on " + a.gate, last);
            }
            if (context.cancelled()) {
                return new StepResult(StepOutcome.CANCELLED, host, null, "cancelled", last)
                        .withNotStopped(script.notStopped);
            }
        }
        if (context.cancelled()) {
            return new StepResult(StepOutcome.CANCELLED, host, null, "cancelled", last)
                    .withNotStopped(script.notStopped);
        }
        switch (script.ending) {
            case FAIL:
                return StepResult.failed(host, script.exitCode, "exit " + script.exitCode, last);
            case THROW:
                throw script.toThrow;
            default:
                return StepResult.succeeded(host, 0, last);
        }
    }

    private CompletableFuture<Void> gate(String name) {
        return gates.computeIfAbsent(name, n -> new CompletableFuture<>());
    }

    /** Every call so far, in start order. */
    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The hosts of every call so far, in start order. */
    public List<String> hostsCalled() {
        return calls().stream().map(Call::host).collect(Collectors.toList());
    }

    /** How many runs are executing now. */
    public synchronized int running() {
        return running;
    }

    /** The most runs that executed at once. */
    public synchronized int maxConcurrency() {
        return maxRunning;
    }

    /** Waits until at least {@code n} runs execute at once; fails the test after {@code max}. */
    public void awaitRunning(int n, Duration max) {
        await(f -> f.running >= n, "running >= " + n, max);
    }

    /** Waits until at least {@code n} calls have started; fails the test after {@code max}. */
    public void awaitCalls(int n, Duration max) {
        await(f -> f.calls.size() >= n, "calls >= " + n, max);
    }

    /** Waits until a call for {@code host} has started and returns it. */
    public Call awaitCall(String host, Duration max) {
        await(f -> f.calls.stream().anyMatch(c -> Objects.equals(c.host, host)), "a call on " + host, max);
        return calls().stream().filter(c -> Objects.equals(c.host, host)).findFirst().orElseThrow();
    }

    private synchronized void await(Predicate<FakeExecutor> condition, String what, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.test(this)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("fake executor: no " + what + " within " + max + "; running " + running
                        + ", calls " + calls);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** One execution: which operation, step and host, and when (by the fake's ticker). */
    public static final class Call {
        private final OperationId operation;
        private final String step;
        private final String host;
        private final Instant startedAt;
        private Instant endedAt;
        private StepResult result;

        Call(OperationId operation, String step, String host, Instant startedAt) {
            this.operation = operation;
            this.step = step;
            this.host = host;
            this.startedAt = startedAt;
        }

        public OperationId operation() {
            return operation;
        }

        public String step() {
            return step;
        }

        public String host() {
            return host;
        }

        public Instant startedAt() {
            return startedAt;
        }

        /** When it returned (or threw), or null while it runs. */
        public synchronized Instant endedAt() {
            return endedAt;
        }

        /** What it returned, or null while it runs or when it threw. */
        public synchronized StepResult result() {
            return result;
        }

        synchronized void end(Instant at, StepResult r) {
            endedAt = at;
            result = r;
        }

        @Override
        public String toString() {
            return step + "@" + (host == null ? "-" : host);
        }
    }

    private enum Ending { SUCCEED, FAIL, THROW }

    private static final class Action {
        final OutputChannel stream;
        final String line;
        final String gate;

        Action(OutputChannel stream, String line, String gate) {
            this.stream = stream;
            this.line = line;
            this.gate = gate;
        }
    }

    /** What one run does: actions in order, then an ending. Immutable; each method returns a new script. */
    public static final class Script {
        private final List<Action> actions;
        private final Ending ending;
        private final int exitCode;
        private final RuntimeException toThrow;
        private final String notStopped;

        private Script(List<Action> actions, Ending ending, int exitCode, RuntimeException toThrow,
                String notStopped) {
            this.actions = actions;
            this.ending = ending;
            this.exitCode = exitCode;
            this.toThrow = toThrow;
            this.notStopped = notStopped;
        }

        /** Writes these lines to stdout. */
        public Script output(String... lines) {
            return with(OutputChannel.STDOUT, lines);
        }

        /** Writes these lines to stderr. */
        public Script stderr(String... lines) {
            return with(OutputChannel.STDERR, lines);
        }

        /** Waits until {@link FakeExecutor#release(String)} opens this gate, or the run is cancelled. */
        public Script await(String gate) {
            return add(new Action(null, null, Objects.requireNonNull(gate)));
        }

        /** Waits until the run is cancelled. */
        public Script awaitCancel() {
            return add(new Action(null, null, ""));
        }

        public Script succeed() {
            return new Script(actions, Ending.SUCCEED, 0, null, notStopped);
        }

        public Script fail(int code) {
            return new Script(actions, Ending.FAIL, code, null, notStopped);
        }

        /** Throws this exception out of {@code execute} (a broken executor). */
        public Script throwing(RuntimeException e) {
            return new Script(actions, Ending.THROW, 0, Objects.requireNonNull(e), notStopped);
        }

        /** A cancelled run says its command could not be stopped, for this reason ({@link StepResult#notStopped}). */
        public Script notStopped(String why) {
            return new Script(actions, ending, exitCode, toThrow, Objects.requireNonNull(why));
        }

        private Script with(OutputChannel stream, String... lines) {
            Script s = this;
            for (String line : lines) {
                s = s.add(new Action(stream, line, null));
            }
            return s;
        }

        private Script add(Action a) {
            List<Action> next = new ArrayList<>(actions);
            next.add(a);
            return new Script(List.copyOf(next), ending, exitCode, toThrow, notStopped);
        }
    }
}
