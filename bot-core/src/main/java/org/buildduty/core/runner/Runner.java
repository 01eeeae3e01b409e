package org.buildduty.core.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.ProgressSink;
import org.buildduty.core.time.Ticker;

/**
 * Runs operations: steps in order, each fanned out over its hosts with bounded parallelism, with timeouts, stuck
 * notices, cancel and rollback, reporting every event to a {@link ProgressSink}.
 *
 * <p>Each submitted operation is driven on a runner thread and each host run executes on a pool thread, at most
 * {@code maxConcurrentHostRuns} at once over all operations and at most the step's {@code parallel} within a step.
 * When a step fails ({@code on_host_failure: stop} starts no new hosts after the first failure; {@code continue}
 * runs them all) or the operation is cancelled, the rollbacks of the steps that ran are run in reverse step order,
 * each on the hosts where its step succeeded, with the rollback's own {@code parallel} and {@code timeout}. Rollbacks
 * always run on all those hosts and are not stopped by a cancel. A step with {@link StepSpec#retries()} runs a host
 * that failed or timed out again, alone, after {@link StepSpec#retryDelay()} on the ticker (driven by
 * {@link #checkTimers()}); the host's result is its last attempt's, and a cancel ends a waiting retry. At a
 * {@code confirm} step the run pauses: nothing
 * stays in flight, the operation waits ({@link OperationState#WAITING}) outside the runner, and {@link #resume} goes
 * on from there, in this process or after a restart. Executors that throw are reported as failed host
 * runs; sinks that throw are logged and ignored.
 *
 * <p>Time comes only from the injected {@link Ticker}: {@link #checkTimers()} enforces timeouts and reports silent
 * hosts. A builder with a positive {@link Builder#timerPeriod(Duration)} calls it in the background; tests use
 * {@code Duration.ZERO}, a fake ticker, and call it themselves. Inside the bot one timer drives everything: the
 * engine calls {@link #checkTimers()} from its own tick and stops the runner's ({@link #checkTimersFromCaller()}).
 *
 * <pre>{@code
 * try (Runner runner = Runner.builder().executor(new LocalExecutor()).maxConcurrentHostRuns(32).build()) {
 *     OperationState end = runner.submit(op, sink).join();
 * }
 * }</pre>
 */
public final class Runner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Runner.class);

    private final Ticker ticker;
    private final Duration closeGrace;
    private final OperationRun.Shared shared;
    private final ExecutorService opPool;
    private final ExecutorService hostPool;
    private volatile ScheduledExecutorService timer;
    private final Map<OperationId, OperationRun> runs = new ConcurrentHashMap<>();
    private boolean closed;

    private Runner(Builder b) {
        this.ticker = b.ticker;
        this.closeGrace = b.closeGrace;
        this.opPool = Executors.newCachedThreadPool(threads("buildduty-op-"));
        this.hostPool = Executors.newCachedThreadPool(threads("buildduty-host-"));
        this.shared = new OperationRun.Shared(Map.copyOf(b.executors), b.ticker, new Slots(b.maxConcurrent),
                hostPool, b.defaultTimeout);
        if (b.timerPeriod.isZero()) {
            this.timer = null;
        } else {
            this.timer = Executors.newSingleThreadScheduledExecutor(threads("buildduty-timer-"));
            long ms = Math.max(1, b.timerPeriod.toMillis());
            timer.scheduleWithFixedDelay(this::checkTimersQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** A builder with defaults: system ticker, 32 concurrent host runs, 30 min step timeout, 1 s timer. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Where an operation paused at a {@code confirm} step: nothing of it is in flight any more.
     *
     * @param step the index of the confirm step
     * @param completed the host runs of the steps before it, by step index (steps that ran on no host are absent)
     * @param vars the values those steps kept for the later ones
     */
    public record Paused(int step, SortedMap<Integer, List<StepResult>> completed, Map<String, String> vars) {
        public Paused {
            completed = Collections.unmodifiableSortedMap(new TreeMap<>(completed));
            vars = Map.copyOf(vars);
        }
    }

    /**
     * How an operation paused at a confirm step goes on ({@link #resume}): with the step after it, or failing at it
     * with {@code failure} as the reason, or cancelled by {@code cancelledBy}; the last two roll back the completed
     * steps as a failure or cancel would.
     */
    public record Resume(Paused at, String failure, String cancelledBy) {
        public Resume {
            Objects.requireNonNull(at, "at");
        }

        /** The next step runs. */
        public static Resume proceed(Paused at) {
            return new Resume(at, null, null);
        }

        /** The operation fails at the confirm step ({@code why}: {@code denied by bob: not now}). */
        public static Resume fail(Paused at, String why) {
            return new Resume(at, Objects.requireNonNull(why, "why"), null);
        }

        /** The operation is cancelled at the confirm step by {@code who}. */
        public static Resume cancel(Paused at, String who) {
            return new Resume(at, null, Objects.requireNonNull(who, "who"));
        }

        int step() {
            return at.step();
        }

        SortedMap<Integer, List<StepResult>> completed() {
            return at.completed();
        }

        Map<String, String> vars() {
            return at.vars();
        }
    }

    /**
     * Starts running {@code op} and returns at once; the future completes with its terminal state after the
     * {@code operationFinished} event.
     *
     * @throws IllegalStateException if the operation is running or finished, or the runner is closed
     */
    public CompletableFuture<OperationState> submit(Operation op, ProgressSink sink) {
        return submit(op, sink, null);
    }

    /**
     * The same, for a plan that may hold {@code confirm} steps: at one the run ends without an
     * {@code operationFinished} event, the operation moves to {@link OperationState#WAITING}, {@code onPause} is told
     * where it stopped, and then the future completes with {@code WAITING}. {@link #resume} goes on from there.
     */
    public CompletableFuture<OperationState> submit(Operation op, ProgressSink sink, Consumer<Paused> onPause) {
        Objects.requireNonNull(op, "op");
        OperationRun run;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("runner is closed");
            }
            OperationState state = op.state();
            if (runs.containsKey(op.id()) || state.isTerminal() || state == OperationState.RUNNING
                    || state == OperationState.ROLLING_BACK || state == OperationState.WAITING) {
                throw new IllegalStateException(op.title() + " cannot be started: it is " + state.label());
            }
            run = new OperationRun(op, sink, shared, r -> runs.remove(r.operation().id(), r), null, null, onPause);
            op.transition(OperationState.RUNNING, ticker.now());
            launch(run);
        }
        LOG.info("{} started", op.title());
        return run.future();
    }

    /**
     * Goes on with an operation {@link OperationState#WAITING} at a confirm step, in this process or after a restart:
     * no step before it runs again; the values they kept reach the later steps. With {@link Resume#proceed} the step
     * after the confirm step runs next (a later confirm step pauses again, telling {@code onPause}); with
     * {@link Resume#fail} or {@link Resume#cancel} the operation ends failed or cancelled there, after the rollbacks of
     * its completed steps. The future completes as {@link #submit}'s does.
     *
     * @throws IllegalStateException if the operation is not waiting, or the runner is closed
     */
    public CompletableFuture<OperationState> resume(Operation op, Resume how, ProgressSink sink,
            Consumer<Paused> onPause) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(how, "how");
        OperationRun run;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("runner is closed");
            }
            if (runs.containsKey(op.id()) || op.state() != OperationState.WAITING) {
                throw new IllegalStateException(op.title() + " cannot be resumed: it is " + op.state().label());
            }
            if (!op.plan().steps().get(how.step()).isConfirm()) {
                throw new IllegalArgumentException("step " + (how.step() + 1) + " of " + op.title()
                        + " is not a confirm step");
            }
            run = new OperationRun(op, sink, shared, r -> runs.remove(r.operation().id(), r), null, how, onPause);
            op.transition(OperationState.RUNNING, ticker.now());
            launch(run);
        }
        LOG.info("{} goes on after step {}", op.title(), how.step() + 1);
        return run.future();
    }

    /**
     * Runs only the rollbacks of an operation the bot was running when it died: for each step in {@code completed}
     * (step index → the host runs that had ended), the step's rollback runs where it succeeded, last step first, as
     * after a failure. The operation ends {@link OperationState#INTERRUPTED}; no forward step runs again.
     *
     * @throws IllegalStateException if the operation is not running, rolling back or waiting, or the runner is closed
     */
    public CompletableFuture<OperationState> rollBackAfterRestart(Operation op,
            SortedMap<Integer, List<StepResult>> completed, ProgressSink sink) {
        Objects.requireNonNull(op, "op");
        OperationRun run;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("runner is closed");
            }
            OperationState state = op.state();
            if (runs.containsKey(op.id()) || state != OperationState.RUNNING && state != OperationState.ROLLING_BACK
                    && state != OperationState.WAITING) {
                throw new IllegalStateException(op.title() + " cannot be rolled back: it is " + state.label());
            }
            run = new OperationRun(op, sink, shared, r -> runs.remove(r.operation().id(), r), completed);
            launch(run);
        }
        LOG.info("{}: rolling back after a restart", op.title());
        return run.future();
    }

    /** Registers and starts a run; the caller holds the lock. */
    private void launch(OperationRun run) {
        OperationId id = run.operation().id();
        runs.put(id, run);
        try {
            opPool.execute(run);
        } catch (RejectedExecutionException e) {
            runs.remove(id);
            throw new IllegalStateException("runner is closed", e);
        }
    }

    /**
     * Cancels a running operation: its running host runs are cancelled and no new host or step starts; then the
     * rollbacks run. {@code reason} says who or what cancelled it ({@code alice}, {@code shutdown}) and is shown as
     * "cancelled by alice". Returns false if the operation is not running, was already cancelled, or is already
     * rolling back after a failure (rollbacks are never cancelled).
     */
    public boolean cancel(OperationId id, String reason) {
        OperationRun run = runs.get(id);
        boolean cancelled = run != null && run.cancel(reason);
        if (cancelled) {
            LOG.info("{} cancelled by {}", run.operation().title(), reason);
        }
        return cancelled;
    }

    /**
     * Checks every running host run against the ticker: cancels it with outcome {@code TIMED_OUT} past its timeout
     * (the step's, or the runner's default), and reports it once as stuck when it wrote nothing for the step's
     * {@code stuckAfter}; new output re-arms the notice. Being stuck does not fail the run.
     */
    public void checkTimers() {
        Instant now = ticker.now();
        for (OperationRun run : runs.values()) {
            run.checkTimers(now);
        }
    }

    /**
     * Stops the runner's own background timer, if it has one: from now on whoever called this calls
     * {@link #checkTimers()} (the engine does, on its tick), so one timer drives the runner. Idempotent.
     */
    public void checkTimersFromCaller() {
        ScheduledExecutorService own = timer;
        timer = null;
        if (own != null) {
            own.shutdownNow();
        }
    }

    /** The operations running now (including rolling back), by id. */
    public List<Operation> running() {
        List<Operation> ops = new ArrayList<>();
        runs.values().forEach(r -> ops.add(r.operation()));
        ops.sort(Comparator.comparing(Operation::id));
        return List.copyOf(ops);
    }

    /** The running operation with this id, if any. */
    public Optional<Operation> running(OperationId id) {
        return Optional.ofNullable(runs.get(id)).map(OperationRun::operation);
    }

    /**
     * Cancels every running operation with reason {@code shutdown}, waits up to the close grace period for their
     * rollbacks, then stops whatever still runs and shuts the pools down. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        checkTimersFromCaller();
        List<OperationRun> all = List.copyOf(runs.values());
        all.forEach(r -> r.cancel("shutdown"));
        if (!await(all, closeGrace)) {
            LOG.warn("operations still running {} after shutdown; stopping them", closeGrace);
            all.forEach(r -> r.abort("shutdown"));
            await(all, Duration.ofSeconds(1));
        }
        opPool.shutdownNow();
        hostPool.shutdownNow();
    }

    private static boolean await(List<OperationRun> all, Duration limit) {
        CompletableFuture<?>[] futures = all.stream().map(OperationRun::finished).toArray(CompletableFuture<?>[]::new);
        try {
            CompletableFuture.allOf(futures).get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private void checkTimersQuietly() {
        try {
            checkTimers();
        } catch (RuntimeException e) {
            LOG.error("timer check failed", e);
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Configures a {@link Runner}. */
    public static final class Builder {
        private final Map<String, StepExecutor> executors = new LinkedHashMap<>();
        private Ticker ticker = Ticker.system();
        private int maxConcurrent = 32;
        private Duration defaultTimeout = Duration.ofMinutes(30);
        private Duration timerPeriod = Duration.ofSeconds(1);
        private Duration closeGrace = Duration.ofSeconds(5);

        private Builder() {
        }

        /** Adds an executor under its {@link StepExecutor#kind()}. */
        public Builder executor(StepExecutor executor) {
            return executor(executor.kind(), executor);
        }

        /** Adds an executor under an explicit kind. */
        public Builder executor(String kind, StepExecutor executor) {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(executor, "executor");
            if (executors.putIfAbsent(kind, executor) != null) {
                throw new IllegalArgumentException("two executors for step kind \"" + kind + "\"");
            }
            return this;
        }

        /** Adds executors, each under its kind. */
        public Builder executors(Collection<? extends StepExecutor> list) {
            list.forEach(this::executor);
            return this;
        }

        /** Adds executors keyed by kind. */
        public Builder executors(Map<String, ? extends StepExecutor> byKind) {
            byKind.forEach(this::executor);
            return this;
        }

        public Builder ticker(Ticker value) {
            this.ticker = Objects.requireNonNull(value, "ticker");
            return this;
        }

        /** How many host runs may run at once over all operations (at least 1). */
        public Builder maxConcurrentHostRuns(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxConcurrentHostRuns must be at least 1: " + value);
            }
            this.maxConcurrent = value;
            return this;
        }

        /** The timeout of a host run whose step sets none. */
        public Builder defaultStepTimeout(Duration value) {
            this.defaultTimeout = positive(value, "defaultStepTimeout");
            return this;
        }

        /**
         * How often a background thread calls {@link Runner#checkTimers()}; zero for never. An engine stops this
         * timer and drives the runner from its own tick.
         */
        public Builder timerPeriod(Duration value) {
            Objects.requireNonNull(value, "timerPeriod");
            if (value.isNegative()) {
                throw new IllegalArgumentException("timerPeriod must not be negative");
            }
            this.timerPeriod = value;
            return this;
        }

        /** How long {@link Runner#close()} waits for cancelled operations to roll back before stopping them. */
        public Builder closeGrace(Duration value) {
            Objects.requireNonNull(value, "closeGrace");
            this.closeGrace = value.isNegative() ? Duration.ZERO : value;
            return this;
        }

        public Runner build() {
            return new Runner(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
