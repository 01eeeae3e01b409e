package org.buildduty.core.exec;

import java.util.concurrent.CountDownLatch;

/**
 * The cancel state of one run inside an executor: whether it was cancelled, what a cancel stops right now (the
 * connection being opened, the running channel, the HTTP call in flight), and a latch that wakes a cancel-aware
 * sleep. Thread-safe; a cancel takes effect once.
 *
 * <pre>{@code
 * CancelPoint cancel = CancelPoint.attach(context);
 * cancel.stopWith(call::cancel);    // runs at once if the run is already cancelled
 * try { ... } finally { cancel.clear(); }
 * }</pre>
 */
public final class CancelPoint {
    private final CountDownLatch wake = new CountDownLatch(1);
    private boolean cancelled;
    private Runnable stop;

    /** A cancel point that the context's cancel (user, timeout, shutdown) triggers. */
    public static CancelPoint attach(ExecContext context) {
        CancelPoint c = new CancelPoint();
        context.onCancel(c::cancel);
        return c;
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }

    /** Counted down by the cancel: a sleep waiting on it ends at once. */
    public CountDownLatch wake() {
        return wake;
    }

    /** From now on a cancel runs {@code action}; if the run is already cancelled, runs it at once. */
    public void stopWith(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                stop = action;
                return;
            }
        }
        action.run();
    }

    /** A cancel stops nothing from now on (it is still recorded). */
    public synchronized void clear() {
        stop = null;
    }

    /** Marks the run cancelled, wakes sleeps and runs the current stop action, once. */
    public void cancel() {
        Runnable action;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            action = stop;
            stop = null;
        }
        wake.countDown();
        if (action != null) {
            action.run();
        }
    }
}
