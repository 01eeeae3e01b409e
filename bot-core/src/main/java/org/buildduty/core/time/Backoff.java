package org.buildduty.core.time;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * The delays between retries: {@code initial}, multiplied by {@code factor} per retry, never more than {@code max}
 * (the first one included), optionally with jitter: each delay times a uniform factor in [0.5, 1.0) drawn from an
 * injected source, rounded to the millisecond, so that many clients cut off together do not return together.
 *
 * <p>{@link #delay(int)} answers for a retry number the caller counts itself; {@link #next()} and {@link #reset()}
 * count for it. Not thread-safe when counting.
 *
 * <pre>{@code
 * Backoff b = Backoff.doubling(Duration.ofMillis(500), Duration.ofSeconds(8));
 * b.delay(0);   // 500 ms
 * b.delay(3);   // 4 s
 * b.delay(9);   // 8 s
 * Backoff reconnect = Backoff.doubling(base, max).withJitter(random);   // 0.5..1.0 of each delay
 * }</pre>
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final long factor;
    private final DoubleSupplier jitter;
    private int attempts;

    /**
     * Delays from {@code initial} up to {@code max}, each {@code factor} times the one before.
     *
     * @param jitter a source of numbers in [0, 1) for the jitter, or null for none
     * @throws IllegalArgumentException unless both durations are positive and {@code factor} is at least 2
     */
    public Backoff(Duration initial, Duration max, long factor, DoubleSupplier jitter) {
        if (initial.isNegative() || initial.isZero() || max.isNegative() || max.isZero() || factor < 2) {
            throw new IllegalArgumentException("a backoff needs positive delays and a factor of at least 2");
        }
        this.initial = initial;
        this.max = max;
        this.factor = factor;
        this.jitter = jitter;
    }

    /** Delays from {@code initial}, doubling, up to {@code max}, with jitter from {@code random}. */
    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        this(initial, max, 2, Objects.requireNonNull(random, "random"));
    }

    /** Delays from {@code initial}, doubling, up to {@code max}, without jitter. */
    public static Backoff doubling(Duration initial, Duration max) {
        return new Backoff(initial, max, 2, null);
    }

    /** The same delays, each with jitter from {@code random}. */
    public Backoff withJitter(DoubleSupplier random) {
        return new Backoff(initial, max, factor, Objects.requireNonNull(random, "random"));
    }

    /** The delay before retry {@code n} (0 for the first): {@code initial * factor^n}, at most {@code max}. */
    public Duration delay(int n) {
        Duration d = initial;
        for (int i = 0; i < n && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(factor);
        }
        Duration capped = d.compareTo(max) > 0 ? max : d;
        if (jitter == null) {
            return capped;
        }
        double f = 0.5 + 0.5 * Math.min(Math.max(jitter.getAsDouble(), 0), 0.999_999);
        return Duration.ofMillis(Math.round(capped.toMillis() * f));
    }

    /** The delay before the next attempt; each call counts one more failed attempt. */
    public Duration next() {
        return delay(attempts++);
    }

    /** Starts over, after an attempt that worked. */
    public void reset() {
        attempts = 0;
    }

    /** The failed attempts counted by {@link #next()} since the last {@link #reset()}. */
    public int attempts() {
        return attempts;
    }
}
