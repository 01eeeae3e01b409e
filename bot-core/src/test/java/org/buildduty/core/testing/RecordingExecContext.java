package org.buildduty.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.OutputChannel;

/**
 * An {@link ExecContext} for testing an executor directly: records output lines, and {@link #cancel()} runs the
 * registered cancel hooks as the runner would. Thread-safe.
 */
public final class RecordingExecContext implements ExecContext {
    private final List<String> lines = new ArrayList<>();
    private final List<Runnable> hooks = new ArrayList<>();
    private boolean cancelled;

    @Override
    public synchronized void output(OutputChannel stream, String line) {
        lines.add(stream + " " + line);
        notifyAll();
    }

    @Override
    public boolean cancelled() {
        synchronized (this) {
            return cancelled;
        }
    }

    @Override
    public void onCancel(Runnable hook) {
        synchronized (this) {
            if (!cancelled) {
                hooks.add(hook);
                return;
            }
        }
        hook.run();
    }

    /** Cancels the run: marks it cancelled and runs the hooks on this thread. */
    public void cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toRun = List.copyOf(hooks);
            hooks.clear();
        }
        toRun.forEach(Runnable::run);
    }

    /** Every line as {@code STREAM text}, e.g. {@code STDERR oops}, in arrival order. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The text of the lines of one stream, in order. */
    public List<String> lines(OutputChannel stream) {
        String prefix = stream + " ";
        return lines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .collect(Collectors.toList());
    }

    /** Waits until {@code n} lines arrived; fails the test after {@code max}. */
    public synchronized List<String> awaitLines(int n, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (lines.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + n + " lines within " + max + ", got " + lines);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        return List.copyOf(lines);
    }
}
