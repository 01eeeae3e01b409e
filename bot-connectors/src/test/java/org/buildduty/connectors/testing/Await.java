package org.buildduty.connectors.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The fakes' waits on their own monitor: the caller holds {@code monitor}'s lock (a {@code synchronized} method of
 * the fake) and whatever changes the awaited state calls {@code notifyAll()} on it. On time-out the wait fails with an
 * {@link AssertionError} carrying the caller's description.
 */
public final class Await {
    private Await() {
    }

    /** The first of {@code items} that matches {@code p}, waiting up to {@code max} for one. */
    public static <T> T first(Object monitor, Iterable<? extends T> items, Predicate<? super T> p, Duration max,
            Supplier<String> failure) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (true) {
            for (T item : items) {
                if (p.test(item)) {
                    return item;
                }
            }
            pause(monitor, end, failure);
        }
    }

    /** Returns once {@code condition} holds, waiting up to {@code max}. */
    public static void until(Object monitor, BooleanSupplier condition, Duration max, Supplier<String> failure)
            throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            pause(monitor, end, failure);
        }
    }

    private static void pause(Object monitor, long end, Supplier<String> failure) throws InterruptedException {
        long left = end - System.nanoTime();
        if (left <= 0) {
            throw new AssertionError(failure.get());
        }
        monitor.wait(Math.max(1, left / 1_000_000));
    }
}
