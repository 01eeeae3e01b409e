package org.buildduty.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.ProgressSink;

/**
 * Records every progress event as one string, for exact sequence assertions (OkHttp's {@code RecordingEventListener}
 * style). Thread-safe.
 *
 * <p>Formats ({@code I} is the step index, written {@code rI} for a host event of that step's rollback; a missing
 * host is {@code -}):
 * <pre>{@code
 * OperationStarted
 * StepStarted 0 deploy
 * HostStarted 0 bm01                 HostStarted r0 bm01 (rollback host run)
 * Output 0 bm01 STDOUT some line
 * HostStuck 0 bm01 PT5M last line
 * HostFinished 0 bm01 SUCCEEDED
 * StepFinished 0 FAILED
 * RollbackStarted 0 undo-deploy
 * RollbackFinished 0 SUCCEEDED
 * OperationFinished FAILED
 * }</pre>
 * {@link #names()} gives just the first word of each, {@link #summary()} the last operation summary.
 */
public final class RecordingProgressSink extends ProgressSink {
    private final List<String> events = new ArrayList<>();
    private final List<StepResult> hostResults = new ArrayList<>();
    private String summary;

    @Override
    public void operationStarted(Operation op) {
        add("OperationStarted");
    }

    @Override
    public void stepStarted(Operation op, int index, StepSpec step) {
        add("StepStarted " + index + " " + step.name());
    }

    @Override
    public void hostStarted(Operation op, int index, StepSpec step, String host) {
        add("HostStarted " + idx(op, index, step) + " " + host(host));
    }

    @Override
    public void output(Operation op, int index, StepSpec step, String host, OutputChannel stream, String line) {
        add("Output " + idx(op, index, step) + " " + host(host) + " " + stream + " " + line);
    }

    @Override
    public void hostStuck(Operation op, int index, StepSpec step, String host, Duration silentFor, String lastLine) {
        add("HostStuck " + idx(op, index, step) + " " + host(host) + " " + silentFor + " " + lastLine);
    }

    @Override
    public void hostRetrying(Operation op, int index, StepSpec step, StepResult failed, int retry, int of,
            Duration delay) {
        add("HostRetrying " + idx(op, index, step) + " " + host(failed.host()) + " " + failed.outcome() + " " + retry
                + "/" + of + " " + delay);
    }

    @Override
    public void hostFinished(Operation op, int index, StepSpec step, StepResult result) {
        synchronized (this) {
            hostResults.add(result);
        }
        add("HostFinished " + idx(op, index, step) + " " + host(result.host()) + " " + result.outcome());
    }

    @Override
    public void stepFinished(Operation op, int index, StepSpec step, StepOutcome outcome, List<StepResult> results) {
        add("StepFinished " + index + " " + outcome);
    }

    @Override
    public void rollbackStarted(Operation op, int index, StepSpec rollback) {
        add("RollbackStarted " + index + " " + rollback.name());
    }

    @Override
    public void rollbackFinished(Operation op, int index, StepSpec rollback, StepOutcome outcome,
            List<StepResult> results) {
        add("RollbackFinished " + index + " " + outcome);
    }

    @Override
    public void operationFinished(Operation op, OperationState end, String text) {
        synchronized (this) {
            summary = text;
        }
        add("OperationFinished " + end);
    }

    /** Every event so far, in order. */
    public synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** The events' names (their first word), in order. */
    public List<String> names() {
        return events().stream().map(e -> e.split(" ", 2)[0]).collect(Collectors.toList());
    }

    /** The events starting with {@code prefix}, in order. */
    public List<String> events(String prefix) {
        return events().stream().filter(e -> e.startsWith(prefix)).collect(Collectors.toList());
    }

    /** Every host result reported by {@code hostFinished}, in order (rollback runs included). */
    public synchronized List<StepResult> hostResults() {
        return List.copyOf(hostResults);
    }

    /** The summary of the last {@code operationFinished}, or null. */
    public synchronized String summary() {
        return summary;
    }

    /** Waits for an event starting with {@code prefix} and returns the first such; fails the test after {@code max}. */
    public synchronized String awaitEvent(String prefix, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            for (String e : events) {
                if (e.startsWith(prefix)) {
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no event starting with \"" + prefix + "\" within " + max + "; got " + events);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + prefix, e);
            }
        }
    }

    /** Forgets the events recorded so far. */
    public synchronized void clear() {
        events.clear();
        hostResults.clear();
        summary = null;
    }

    private synchronized void add(String event) {
        events.add(event);
        notifyAll();
    }

    private static String idx(Operation op, int index, StepSpec step) {
        List<StepSpec> steps = op.plan().steps();
        boolean rollback = index >= 0 && index < steps.size() && steps.get(index) != step;
        return rollback ? "r" + index : Integer.toString(index);
    }

    private static String host(String host) {
        return host == null ? "-" : host;
    }
}
