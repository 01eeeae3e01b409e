package org.buildduty.core.time;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a while unless woken first, injected wherever code backs off or polls, so tests can record the waits and
 * advance a fake ticker instead of sleeping.
 *
 * <p>A cancel counts {@code wake} down; the sleep then returns {@code false} at once.
 *
 * <pre>{@code
 * CountDownLatch wake = new CountDownLatch(1);
 * context.onCancel(wake::countDown);
 * if (!sleeper.sleep(Duration.ofSeconds(2), wake)) {
 *     return cancelled;
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Sleeper {
    /**
     * Waits for {@code duration} (nothing for zero or negative), or until {@code wake} reaches zero. True when the
     * whole time passed, false when woken (also when {@code wake} already was at zero).
     */
    boolean sleep(Duration duration, CountDownLatch wake) throws InterruptedException;

    /** Waits for {@code duration}; nothing can wake it early. */
    default void sleep(Duration duration) throws InterruptedException {
        sleep(duration, new CountDownLatch(1));
    }

    /** Really sleeps, on the calling thread. */
    static Sleeper system() {
        return SystemSleeper.INSTANCE;
    }
}

enum SystemSleeper implements Sleeper {
    INSTANCE;

    /** Longer waits are cut to this (about 100 years), which still fits in nanoseconds. */
    private static final Duration LONGEST = Duration.ofDays(36_500);

    @Override
    public boolean sleep(Duration duration, CountDownLatch wake) throws InterruptedException {
        if (wake.getCount() == 0) {
            return false;
        }
        if (duration.isZero() || duration.isNegative()) {
            return true;
        }
        long nanos = duration.compareTo(LONGEST) > 0 ? LONGEST.toNanos() : Math.max(1, duration.toNanos());
        return !wake.await(nanos, TimeUnit.NANOSECONDS);
    }
}
