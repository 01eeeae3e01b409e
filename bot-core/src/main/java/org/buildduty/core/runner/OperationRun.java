package org.buildduty.core.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.ProgressSink;
import org.buildduty.core.time.Ticker;

/**
 * Drives one operation on one runner thread: its steps in order, each fanned out over its hosts, then on failure or
 * cancel the rollbacks of started steps in reverse order, then the final state and summary.
 */
final class OperationRun implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(OperationRun.class);

    /** What every operation run shares with its runner. */
    record Shared(Map<String, StepExecutor> executors, Ticker ticker, Slots slots, ExecutorService hostPool,
            Duration defaultTimeout) {
    }

    private final Operation op;
    private final ProgressSink sink;
    private final Shared shared;
    private final Consumer<OperationRun> onDone;
    private final CompletableFuture<OperationState> future = new CompletableFuture<>();
    private final CompletableFuture<OperationState> finished = new CompletableFuture<>();
    private final Set<HostRun> active = ConcurrentHashMap.newKeySet();
    /** Values kept by the steps that succeeded so far, for the later steps; only the runner thread writes. */
    private final Map<String, String> vars = new ConcurrentHashMap<>();
    private volatile String cancelReason;
    private volatile boolean aborted;
    private boolean forwardDone;
    /** After a restart: the host runs that had ended, per step; only their rollbacks run. Null for a normal run. */
    private final SortedMap<Integer, List<StepResult>> recovered;
    /** Where a run paused at a confirm step goes on from, and how; null for a run from the first step. */
    private final Runner.Resume resume;
    /** Told where the run paused, before its future completes with {@code WAITING}; may be null. */
    private final Consumer<Runner.Paused> onPause;
    /** Set by the runner thread when the run pauses at a confirm step. */
    private Runner.Paused paused;
    /** Host runs that failed and wait for their retry's time; guarded by {@code this}. */
    private final List<PendingRetry> retries = new ArrayList<>();

    /** One host slot of one fan-out, across its attempts. */
    private record Slot(StepExecutor executor, int index, StepSpec spec, String host, boolean rollback,
            Slots.Fanout fanout, StepResult[] results, int slot) {
    }

    /** A failed attempt waiting for {@code due}: then attempt {@code next} starts; a cancel ends with {@code last}. */
    private record PendingRetry(Slot slot, Instant due, int next, StepResult last) {
    }

    OperationRun(Operation op, ProgressSink sink, Shared shared, Consumer<OperationRun> onDone,
            SortedMap<Integer, List<StepResult>> recovered) {
        this(op, sink, shared, onDone, recovered, null, null);
    }

    OperationRun(Operation op, ProgressSink sink, Shared shared, Consumer<OperationRun> onDone,
            SortedMap<Integer, List<StepResult>> recovered, Runner.Resume resume, Consumer<Runner.Paused> onPause) {
        this.op = op;
        this.sink = new GuardedSink(sink);
        this.shared = shared;
        this.onDone = onDone;
        this.recovered = recovered;
        this.forwardDone = recovered != null;
        this.resume = resume;
        this.onPause = onPause;
        if (resume != null && resume.cancelledBy() != null) {
            this.cancelReason = resume.cancelledBy();
        }
    }

    Operation operation() {
        return op;
    }

    /** Completes with the terminal state; handed to the caller of submit. */
    CompletableFuture<OperationState> future() {
        return future;
    }

    /** Completes just after {@link #future()}; the runner's own, which callers cannot complete early. */
    CompletableFuture<OperationState> finished() {
        return finished;
    }

    /**
     * Cancels the steps (running host runs are cancelled, nothing new starts); rollbacks then run and are not
     * affected. Returns false if already cancelled or past its steps.
     */
    boolean cancel(String reason) {
        synchronized (this) {
            if (cancelReason != null || forwardDone) {
                return false;
            }
            cancelReason = reason == null || reason.isBlank() ? "unknown" : reason.strip();
        }
        giveUpRetries();
        for (HostRun run : active) {
            if (!run.isRollback()) {
                run.cancel(StepOutcome.CANCELLED, "by " + cancelReason);
            }
        }
        shared.slots().wake();
        return true;
    }

    /** Stops everything, rollbacks included (used at shutdown once the grace period is over). */
    void abort(String reason) {
        cancel(reason);
        aborted = true;
        for (HostRun run : active) {
            run.cancel(StepOutcome.CANCELLED, "by " + reason);
        }
        shared.slots().wake();
    }

    void checkTimers(Instant now) {
        for (HostRun run : active) {
            run.checkTimers(now);
        }
        List<PendingRetry> due = new ArrayList<>();
        synchronized (this) {
            for (var it = retries.iterator(); it.hasNext();) {
                PendingRetry r = it.next();
                if (!now.isBefore(r.due())) {
                    it.remove();
                    due.add(r);
                }
            }
        }
        due.forEach(r -> start(r.slot(), r.next()));
    }

    /** A cancel stops retries: each host waiting for one ends with its last attempt's result. */
    private void giveUpRetries() {
        List<PendingRetry> left;
        synchronized (this) {
            left = List.copyOf(retries);
            retries.clear();
        }
        for (PendingRetry r : left) {
            r.slot().results()[r.slot().slot()] = r.last();
            shared.slots().release(r.slot().fanout(), true);
        }
    }

    @Override
    public void run() {
        OperationState end;
        String summary;
        try {
            End e = drive();
            if (e.state() == OperationState.WAITING) {
                pause();
                return;
            }
            end = e.state();
            summary = e.summary();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end = OperationState.INTERRUPTED;
            summary = op.title() + " interrupted by shutdown";
        } catch (RuntimeException e) {
            LOG.error("runner failed on {}", op.title(), e);
            end = OperationState.FAILED;
            summary = op.title() + " failed: internal error";
        }
        op.transition(end, shared.ticker().now());
        releaseExecutors();
        LOG.info("{}", summary);
        sink.operationFinished(op, op.state(), Summaries.bound(summary));
        onDone.accept(this);
        future.complete(op.state());
        finished.complete(op.state());
    }

    /** Ends the run at a confirm step: nothing stays in flight; whoever waits for the confirmation resumes it. */
    private void pause() {
        op.transition(OperationState.WAITING, shared.ticker().now());
        releaseExecutors();
        LOG.info("{} waits at step {} \"{}\"", op.title(), paused.step() + 1,
                op.plan().steps().get(paused.step()).name());
        onDone.accept(this);
        if (onPause != null) {
            try {
                onPause.accept(paused);
            } catch (RuntimeException e) {
                LOG.error("{}: recording the pause at step {} failed", op.title(), paused.step() + 1, e);
            }
        }
        // WAITING, not op.state(): a confirmation may already have resumed the operation
        future.complete(OperationState.WAITING);
        finished.complete(OperationState.WAITING);
    }

    private void releaseExecutors() {
        for (StepExecutor executor : new LinkedHashSet<>(shared.executors().values())) {
            try {
                executor.operationFinished(op.id());
            } catch (RuntimeException e) {
                LOG.warn("executor {} failed to release {}", executor.kind(), op.title(), e);
            }
        }
    }

    /** How the operation ended, and its one-line summary. */
    private record End(OperationState state, String summary) {
    }

    private End drive() throws InterruptedException {
        if (recovered != null) {
            return rollBackAfterRestart();
        }
        List<StepSpec> steps = op.plan().steps();
        List<List<StepResult>> done = new ArrayList<>();
        int first = 0;
        if (resume == null) {
            sink.operationStarted(op);
        } else {
            for (int i = 0; i < resume.step(); i++) {
                done.add(resume.completed().getOrDefault(i, List.of()));
            }
            vars.putAll(resume.vars());
            first = resume.step();
        }
        int failedAt = -1;
        String failure = null;
        for (int i = first; i < steps.size() && cancelReason == null; i++) {
            StepSpec step = steps.get(i);
            if (step.isConfirm()) {
                if (resume == null || i != resume.step()) {
                    paused = new Runner.Paused(i, completed(done), Map.copyOf(vars));
                    return new End(OperationState.WAITING, "");
                }
                done.add(List.of());
                if (resume.failure() != null) {
                    failedAt = i;
                    failure = resume.failure();
                    break;
                }
                continue;
            }
            sink.stepStarted(op, i, step);
            List<StepResult> results = fanOut(i, step, hostsOf(step), false);
            done.add(results);
            StepOutcome outcome = outcomeOf(results);
            sink.stepFinished(op, i, step, outcome, results);
            if (outcome != StepOutcome.SUCCEEDED) {
                failedAt = i;
                break;
            }
            results.forEach(r -> vars.putAll(r.kept()));
        }
        String cancelledBy;
        synchronized (this) {
            forwardDone = true;
            cancelledBy = cancelReason;
        }
        if (failedAt < 0 && cancelledBy == null) {
            Instant now = shared.ticker().now();
            Duration took = Duration.between(Objects.requireNonNullElse(op.startedAt(), now), now);
            return new End(OperationState.SUCCEEDED, op.title() + " succeeded in " + Summaries.duration(took));
        }
        StringBuilder summary = new StringBuilder(op.title());
        if (cancelledBy != null) {
            summary.append(" cancelled by ").append(cancelledBy);
            if (failedAt >= 0) {
                summary.append(" at step \"").append(steps.get(failedAt).name()).append('"');
            } else if (done.size() < steps.size() && !done.isEmpty()) {
                summary.append(" before step \"").append(steps.get(done.size()).name()).append('"');
            }
        } else {
            summary.append(" failed at step \"").append(steps.get(failedAt).name()).append('"');
        }
        if (failure != null) {
            summary.append(": ").append(failure);
        } else if (failedAt >= 0) {
            String failures = Summaries.failures(done.get(failedAt));
            if (!failures.isEmpty()) {
                summary.append(": ").append(failures);
            }
            String tally = Summaries.tally(done.get(failedAt));
            if (!tally.isEmpty() && done.get(failedAt).size() > 1) {
                summary.append(" · ").append(tally);
            }
        }
        rollBack(steps, done, summary);
        return new End(cancelledBy != null ? OperationState.CANCELLED : OperationState.FAILED,
                summary.toString());
    }

    /** The host runs of the steps done so far, by step index (a confirm step has none). */
    private static SortedMap<Integer, List<StepResult>> completed(List<List<StepResult>> done) {
        SortedMap<Integer, List<StepResult>> out = new TreeMap<>();
        for (int i = 0; i < done.size(); i++) {
            if (!done.get(i).isEmpty()) {
                out.put(i, List.copyOf(done.get(i)));
            }
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /** Rolls back the steps that had run before the bot died; the operation stays interrupted. */
    private End rollBackAfterRestart() throws InterruptedException {
        List<StepSpec> steps = op.plan().steps();
        List<List<StepResult>> done = new ArrayList<>();
        int last = recovered.isEmpty() ? -1 : Math.min(recovered.lastKey(), steps.size() - 1);
        for (int i = 0; i <= last; i++) {
            done.add(recovered.getOrDefault(i, List.of()));
        }
        StringBuilder summary = new StringBuilder(op.title()).append(" interrupted by a restart");
        rollBack(steps, done, summary);
        return new End(OperationState.INTERRUPTED, summary.toString());
    }

    private void rollBack(List<StepSpec> steps, List<List<StepResult>> done, StringBuilder summary)
            throws InterruptedException {
        int rolledBack = 0;
        List<String> problems = new ArrayList<>();
        for (int j = done.size() - 1; j >= 0; j--) {
            StepSpec step = steps.get(j);
            StepSpec rollback = step.rollback();
            if (rollback == null) {
                continue;
            }
            List<String> hosts = rollbackHosts(step, rollback, done.get(j));
            if (hosts.isEmpty()) {
                continue;
            }
            if (rolledBack == 0) {
                op.transition(OperationState.ROLLING_BACK, shared.ticker().now());
            }
            sink.rollbackStarted(op, j, rollback);
            List<StepResult> results = fanOut(j, rollback, hosts, true);
            StepOutcome outcome = outcomeOf(results);
            sink.rollbackFinished(op, j, rollback, outcome, results);
            rolledBack++;
            if (outcome != StepOutcome.SUCCEEDED) {
                String failures = Summaries.failures(results);
                problems.add("rollback of \"" + step.name() + "\" " + outcome.label()
                        + (failures.isEmpty() ? "" : ": " + failures));
            }
        }
        if (rolledBack > 0) {
            summary.append(" · rolled back ").append(Summaries.steps(rolledBack));
        }
        for (String p : problems) {
            summary.append(" · ").append(p);
        }
    }

    /** The hosts a step runs on: its own, or one run without a host. */
    private static List<String> hostsOf(StepSpec step) {
        return step.hosts().isEmpty() ? Collections.singletonList(null) : step.hosts();
    }

    /**
     * Where a rollback runs: on each host where the step succeeded; for a step without hosts, on the rollback's own
     * hosts (or once without a host) if the step succeeded.
     */
    private static List<String> rollbackHosts(StepSpec step, StepSpec rollback, List<StepResult> results) {
        if (step.hosts().isEmpty()) {
            boolean succeeded = results.stream().anyMatch(r -> r.outcome() == StepOutcome.SUCCEEDED);
            return succeeded ? hostsOf(rollback) : List.of();
        }
        List<String> hosts = new ArrayList<>();
        for (StepResult r : results) {
            if (r.outcome() == StepOutcome.SUCCEEDED) {
                hosts.add(r.host());
            }
        }
        return hosts;
    }

    /** FAILED beats TIMED_OUT beats CANCELLED (and SKIPPED, which only a cancel leaves alone) beats SUCCEEDED. */
    static StepOutcome outcomeOf(List<StepResult> results) {
        StepOutcome worst = StepOutcome.SUCCEEDED;
        for (StepResult r : results) {
            StepOutcome o = r.outcome() == StepOutcome.SKIPPED ? StepOutcome.CANCELLED : r.outcome();
            if (rank(o) > rank(worst)) {
                worst = o;
            }
        }
        return worst;
    }

    private static int rank(StepOutcome o) {
        switch (o) {
            case FAILED:
                return 3;
            case TIMED_OUT:
                return 2;
            case CANCELLED:
            case SKIPPED:
                return 1;
            default:
                return 0;
        }
    }

    private List<StepResult> fanOut(int index, StepSpec spec, List<String> hosts, boolean rollback)
            throws InterruptedException {
        StepResult[] results = new StepResult[hosts.size()];
        StepExecutor executor = shared.executors().get(spec.kind());
        if (executor == null) {
            for (int i = 0; i < results.length; i++) {
                results[i] = StepResult.failed(hosts.get(i), null, "unknown step kind \"" + spec.kind() + "\"", "");
            }
            return List.of(results);
        }
        Slots.Fanout fanout = new Slots.Fanout(spec.parallel(),
                !rollback && spec.onHostFailure() == OnHostFailure.STOP);
        BooleanSupplier stop = rollback ? () -> aborted : () -> cancelReason != null;
        int started = 0;
        try {
            while (started < results.length && shared.slots().acquire(fanout, stop)) {
                start(new Slot(executor, index, spec, hosts.get(started), rollback, fanout, results, started), 0);
                started++;
            }
        } finally {
            shared.slots().awaitIdle(fanout);
        }
        String why = cancelReason != null ? "not started: cancelled" : "not started: an earlier host failed";
        for (int i = started; i < results.length; i++) {
            results[i] = new StepResult(StepOutcome.SKIPPED, hosts.get(i), null, why, "");
        }
        return Arrays.asList(results.clone());
    }

    /** Starts attempt {@code attempt} (0: the first run, n: the n-th retry) of one host slot. */
    private void start(Slot slot, int attempt) {
        StepSpec spec = slot.spec();
        String host = slot.host();
        boolean rollback = slot.rollback();
        Duration timeout = spec.timeout() != null && !spec.timeout().isNegative() && !spec.timeout().isZero()
                ? spec.timeout() : shared.defaultTimeout();
        HostRun run = new HostRun(op, sink, shared.ticker(), slot.index(), spec, host, timeout, rollback);
        run.begin(active);
        if (rollback ? aborted : cancelReason != null) {
            run.cancel(StepOutcome.CANCELLED, "by " + Objects.requireNonNullElse(cancelReason, "shutdown"));
        }
        ExecRequest request = new ExecRequest(op.id(), spec, host, timeout, vars);
        try {
            shared.hostPool().execute(() -> execute(slot, attempt, request, run));
        } catch (RejectedExecutionException e) {
            complete(slot, attempt, run, StepResult.failed(host, null, "internal error: runner is shut down", ""));
        }
    }

    private void execute(Slot slot, int attempt, ExecRequest request, HostRun run) {
        StepExecutor executor = slot.executor();
        StepResult result = null;
        try {
            result = executor.execute(request, run);
            if (result == null) {
                result = StepResult.failed(request.host(), null, "internal error: executor returned no result", "");
            }
        } catch (RuntimeException | Error e) {
            LOG.error("executor {} threw on {} step {} host {}", executor.kind(), op.title(), request.step().name(),
                    request.host(), e);
            result = StepResult.failed(request.host(), null, "internal error: " + e.getClass().getSimpleName(), "");
            if (e instanceof VirtualMachineError fatal) {
                complete(slot, Integer.MAX_VALUE, run, result);
                throw fatal;
            }
        }
        complete(slot, attempt, run, result);
    }

    /**
     * Ends one attempt. A step attempt that failed or timed out, with retries left, no cancel, and no command left
     * running that could not be stopped ({@link StepResult#notStopped()}), is reported as retried and keeps its slot
     * until the retry's time ({@link #checkTimers}); otherwise the result is the host's.
     */
    private void complete(Slot slot, int attempt, HostRun run, StepResult result) {
        StepResult finished = result;
        boolean retried = false;
        try {
            StepSpec spec = slot.spec();
            StepOutcome cancelled = run.cancelOutcome();
            boolean retryable = !slot.rollback() && attempt < spec.retries()
                    && result.outcome() != StepOutcome.SUCCEEDED && cancelled != StepOutcome.CANCELLED
                    && result.notStopped().isEmpty()
                    && (cancelled == StepOutcome.TIMED_OUT || result.outcome() == StepOutcome.FAILED
                    || result.outcome() == StepOutcome.TIMED_OUT);
            synchronized (this) {
                retryable &= cancelReason == null && !aborted;
                if (retryable) {
                    finished = run.finish(result, new HostRun.Retry(attempt + 1, spec.retries(), spec.retryDelay()));
                    retries.add(new PendingRetry(slot, shared.ticker().now().plus(spec.retryDelay()), attempt + 1,
                            finished));
                    retried = true;
                }
            }
            if (!retried) {
                finished = run.finish(result);
            }
        } finally {
            active.remove(run);
            if (!retried) {
                slot.results()[slot.slot()] = finished;
                shared.slots().release(slot.fanout(), finished.outcome().isFailure());
            }
        }
        if (retried && slot.spec().retryDelay().isZero()) {
            checkTimers(shared.ticker().now());
        }
    }
}
