package org.buildduty.core.exec.ssh;

/**
 * The cancel state of one host run: whether it was cancelled, and what a cancel stops right now (the connection
 * being opened, or the running channel). Thread-safe.
 */
final class Attempt {
    private boolean cancelled;
    private Runnable stop;

    synchronized boolean cancelled() {
        return cancelled;
    }

    /** From now on a cancel runs {@code action}; if the run is already cancelled, runs it at once. */
    void stopWith(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                stop = action;
                return;
            }
        }
        action.run();
    }

    /** A cancel stops nothing from now on (it is still recorded). */
    synchronized void clear() {
        stop = null;
    }

    /** Marks the run cancelled and runs the current stop action, once. */
    void cancel() {
        Runnable action;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            action = stop;
            stop = null;
        }
        if (action != null) {
            action.run();
        }
    }
}
