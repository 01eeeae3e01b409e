package org.buildduty.core.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.ProgressSink;
import org.buildduty.core.time.Ticker;

/**
 * One host run of one step or rollback: the {@link ExecContext} its executor sees, plus the timer state the runner
 * checks (start, last output, whether the current silence was already reported).
 *
 * <p>Sink calls for this run (output, stuck, finished) are made under its lock, so they arrive in order and nothing
 * is reported after {@link #finish}.
 */
final class HostRun implements ExecContext {
    private static final Logger LOG = LoggerFactory.getLogger(HostRun.class);

    private final Operation op;
    private final ProgressSink sink;
    private final Ticker ticker;
    private final int index;
    private final StepSpec step;
    private final String host;
    private final Duration timeout;
    private final boolean rollback;
    private final Instant startedAt;
    private final Object lock = new Object();
    private final List<Runnable> hooks = new ArrayList<>();
    private Instant lastOutputAt;
    private String lastLine = "";
    /** The last line on stderr: a failure's reason is there more often than on stdout's last line. */
    private String lastErrorLine = "";
    private boolean stuckReported;
    private boolean finished;
    private StepOutcome cancelOutcome;
    private String cancelReason = "";

    HostRun(Operation op, ProgressSink sink, Ticker ticker, int index, StepSpec step, String host, Duration timeout,
            boolean rollback) {
        this.op = op;
        this.sink = sink;
        this.ticker = ticker;
        this.index = index;
        this.step = step;
        this.host = host;
        this.timeout = timeout;
        this.rollback = rollback;
        this.startedAt = ticker.now();
        this.lastOutputAt = startedAt;
    }

    String host() {
        return host;
    }

    /**
     * Registers the run with the set the timers walk and reports its start, atomically with respect to this run's
     * other events: once {@code hostStarted} is seen, {@link #checkTimers} sees the run.
     */
    void begin(Set<HostRun> active) {
        synchronized (lock) {
            active.add(this);
            sink.hostStarted(op, index, step, host);
        }
    }

    boolean isRollback() {
        return rollback;
    }

    @Override
    public void output(OutputChannel stream, String line) {
        if (line == null) {
            return;
        }
        synchronized (lock) {
            if (finished) {
                return;
            }
            lastLine = line;
            if (stream == OutputChannel.STDERR && !line.isBlank()) {
                lastErrorLine = line;
            }
            lastOutputAt = ticker.now();
            stuckReported = false;
            sink.output(op, index, step, host, stream == null ? OutputChannel.STDOUT : stream, line);
        }
    }

    @Override
    public boolean cancelled() {
        synchronized (lock) {
            return cancelOutcome != null;
        }
    }

    @Override
    public void onCancel(Runnable hook) {
        boolean now;
        synchronized (lock) {
            now = cancelOutcome != null;
            if (!now) {
                hooks.add(hook);
            }
        }
        if (now) {
            runHook(hook);
        }
    }

    /**
     * Cancels the run with the outcome it should end with ({@code CANCELLED} or {@code TIMED_OUT}) and runs the
     * executor's cancel hooks on the calling thread. Returns false if it was already cancelled or finished.
     */
    boolean cancel(StepOutcome outcome, String reason) {
        List<Runnable> toRun;
        synchronized (lock) {
            if (cancelOutcome != null || finished) {
                return false;
            }
            cancelOutcome = outcome;
            cancelReason = reason;
            toRun = List.copyOf(hooks);
            hooks.clear();
        }
        toRun.forEach(HostRun::runHook);
        return true;
    }

    /** How the run was cancelled ({@code CANCELLED} or {@code TIMED_OUT}), or null. */
    StepOutcome cancelOutcome() {
        synchronized (lock) {
            return cancelOutcome;
        }
    }

    /** Enforces the timeout and reports a silence longer than the step's {@code stuckAfter}, once per silence. */
    void checkTimers(Instant now) {
        if (!timeout.isZero() && !timeout.isNegative() && !now.isBefore(startedAt.plus(timeout))) {
            if (cancel(StepOutcome.TIMED_OUT, "after " + Summaries.duration(timeout))) {
                LOG.info("{} step {} on {} timed out after {}", op.title(), step.name(), host, timeout);
            }
        }
        Duration stuckAfter = step.stuckAfter();
        if (stuckAfter == null || stuckAfter.isZero() || stuckAfter.isNegative()) {
            return;
        }
        synchronized (lock) {
            if (finished || stuckReported || cancelOutcome != null) {
                return;
            }
            Duration silent = Duration.between(lastOutputAt, now);
            if (silent.compareTo(stuckAfter) >= 0) {
                stuckReported = true;
                sink.hostStuck(op, index, step, host, silent, lastLine);
            }
        }
    }

    /**
     * Turns what the executor returned into the run's result: the right host, the last line seen (for a failure, the
     * last line on stderr when there was one: where commands say why), and the cancel outcome when the run was
     * cancelled and did not succeed anyway (keeping why its command could not be stopped, if the executor said so).
     * Then reports it; nothing is reported after.
     */
    StepResult finish(StepResult returned) {
        return finish(returned, null);
    }

    /** What to tell the sink about an attempt that is retried: which retry of how many, after how long. */
    record Retry(int retry, int of, Duration delay) {
    }

    /**
     * As {@link #finish(StepResult)}, but for an attempt that will be retried when {@code retry} is not null: the sink
     * hears {@code hostRetrying} instead of {@code hostFinished}.
     */
    StepResult finish(StepResult returned, Retry retry) {
        synchronized (lock) {
            StepResult r = returned;
            String last = r.lastLine().isEmpty() ? lastLine : r.lastLine();
            if (r.outcome() != StepOutcome.SUCCEEDED && !lastErrorLine.isEmpty()) {
                last = lastErrorLine;
            }
            if (cancelOutcome != null && r.outcome() != StepOutcome.SUCCEEDED) {
                r = new StepResult(cancelOutcome, host, r.exitCode(), cancelReason, last).withKept(r.kept())
                        .withNotStopped(r.notStopped());
            } else if (!Objects.equals(r.host(), host) || !last.equals(r.lastLine())) {
                r = new StepResult(r.outcome(), host, r.exitCode(), r.reason(), last).withKept(r.kept())
                        .withNotStopped(r.notStopped());
            }
            finished = true;
            hooks.clear();
            if (retry == null) {
                sink.hostFinished(op, index, step, r);
            } else {
                sink.hostRetrying(op, index, step, r, retry.retry(), retry.of(), retry.delay());
            }
            return r;
        }
    }

    private static void runHook(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            LOG.warn("cancel hook failed", e);
        }
    }
}
