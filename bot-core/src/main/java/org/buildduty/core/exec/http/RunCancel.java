package org.buildduty.core.exec.http;

import java.util.concurrent.CountDownLatch;

import org.buildduty.core.exec.ExecContext;

/**
 * The cancel state of one run: a latch that wakes a sleep, and the thing in flight (an HTTP call, a command) that a
 * cancel stops.
 */
final class RunCancel {
    final CountDownLatch wake = new CountDownLatch(1);
    private Runnable current;
    private boolean cancelled;

    /** A cancel state stopped by the context's cancel. */
    static RunCancel attach(ExecContext context) {
        RunCancel c = new RunCancel();
        context.onCancel(c::cancel);
        return c;
    }

    /** Notes what is in flight; stops it at once if the run is already cancelled. */
    void track(Runnable stop) {
        synchronized (this) {
            if (!cancelled) {
                current = stop;
                return;
            }
        }
        stop.run();
    }

    synchronized void untrack() {
        current = null;
    }

    void cancel() {
        Runnable stop;
        synchronized (this) {
            cancelled = true;
            stop = current;
            current = null;
        }
        wake.countDown();
        if (stop != null) {
            stop.run();
        }
    }

    synchronized boolean cancelled() {
        return cancelled;
    }
}
