package org.buildduty.core.runner;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Counts running host runs against the runner's overall limit and each fan-out's own {@code parallel} limit.
 *
 * <p>One lock and one condition: every release and every {@link #wake()} (cancel) signals all waiters, which then
 * re-check their limits and stop conditions. With a few dozen host runs at most this is cheap and simple.
 */
final class Slots {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final int max;
    private int active;

    Slots(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max concurrent host runs must be at least 1: " + max);
        }
        this.max = max;
    }

    /** One fan-out of one step (or rollback): its limit, its running count, and whether a host failed. */
    static final class Fanout {
        private final int parallel;
        private final boolean stopOnFailure;
        private int active;
        private boolean failed;

        Fanout(int parallel, boolean stopOnFailure) {
            this.parallel = Math.max(1, parallel);
            this.stopOnFailure = stopOnFailure;
        }
    }

    /**
     * Waits until both limits allow one more host run of {@code fanout} and takes a slot; returns false, taking
     * nothing, as soon as {@code stop} is true (checked on every wake-up) or, for a fan-out that stops on failure,
     * once one of its hosts failed.
     */
    boolean acquire(Fanout fanout, BooleanSupplier stop) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (stop.getAsBoolean() || (fanout.stopOnFailure && fanout.failed)) {
                    return false;
                }
                if (fanout.active < fanout.parallel && active < max) {
                    fanout.active++;
                    active++;
                    return true;
                }
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives back a slot taken by {@link #acquire}; {@code failed} marks the fan-out as having a failed host. */
    void release(Fanout fanout, boolean failed) {
        lock.lock();
        try {
            fanout.active--;
            active--;
            fanout.failed |= failed;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no host run of {@code fanout} is running. */
    void awaitIdle(Fanout fanout) throws InterruptedException {
        lock.lock();
        try {
            while (fanout.active > 0) {
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter so it re-checks its stop condition (after a cancel). */
    void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Host runs now running, over all operations. */
    int active() {
        lock.lock();
        try {
            return active;
        } finally {
            lock.unlock();
        }
    }
}
