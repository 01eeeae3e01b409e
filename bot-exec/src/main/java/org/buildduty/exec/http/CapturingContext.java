package org.buildduty.exec.http;

import java.util.ArrayList;
import java.util.List;

import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.OutputChannel;

/**
 * The context a {@code wait_until} command poll runs in: collects stdout (bounded) and the last stderr line instead
 * of reporting them, and is cancelled by the step's own cancel.
 */
final class CapturingContext implements ExecContext {
    /** Most stdout kept, in characters. */
    static final int MAX_STDOUT = 1 << 20;

    private final StringBuilder stdout = new StringBuilder();
    private final List<Runnable> hooks = new ArrayList<>();
    private String lastError = "";
    private boolean cancelled;

    @Override
    public synchronized void output(OutputChannel stream, String line) {
        if (line == null) {
            return;
        }
        if (stream == OutputChannel.STDERR) {
            lastError = line;
        } else if (stream != OutputChannel.INFO && stdout.length() + line.length() < MAX_STDOUT) {
            stdout.append(line).append('\n');
        }
    }

    @Override
    public synchronized boolean cancelled() {
        return cancelled;
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

    void cancel() {
        List<Runnable> run;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            run = List.copyOf(hooks);
            hooks.clear();
        }
        run.forEach(Runnable::run);
    }

    synchronized String stdout() {
        return stdout.toString();
    }

    synchronized String lastError() {
        return lastError;
    }
}
