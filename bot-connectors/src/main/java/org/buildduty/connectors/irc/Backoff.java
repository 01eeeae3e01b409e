package org.buildduty.connectors.irc;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Reconnect delays: exponential from {@code base}, doubling per failed attempt up to {@code max}, each with jitter
 * (a uniform factor in [0.5, 1.0)) so that many bots cut off together do not return together.
 */
final class Backoff {
    private final Duration base;
    private final Duration max;
    private final DoubleSupplier random;
    private int attempts;

    Backoff(Duration base, Duration max, DoubleSupplier random) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("0 < base <= max");
        }
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /** The delay before the next attempt; each call counts one more failed attempt. */
    Duration next() {
        long ceiling = base.toMillis() << Math.min(attempts, 30);
        if (ceiling <= 0 || ceiling > max.toMillis()) {
            ceiling = max.toMillis();
        }
        attempts++;
        double factor = 0.5 + 0.5 * Math.min(Math.max(random.getAsDouble(), 0), 0.999_999);
        return Duration.ofMillis(Math.round(ceiling * factor));
    }

    /** Starts over after a connection that worked. */
    void reset() {
        attempts = 0;
    }

    int attempts() {
        return attempts;
    }
}
