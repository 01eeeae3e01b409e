package org.buildduty.connectors.irc;

import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket: up to {@code burst} tokens, refilled by one every {@code interval}. Time comes from the caller
 * (the injected ticker), so tests drive it by hand. Not thread-safe; the pacer guards it.
 */
final class TokenBucket {
    private final int burst;
    private final long intervalNanos;
    private double tokens;
    private Instant last;

    TokenBucket(int burst, Duration interval, Instant now) {
        if (burst < 1 || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("burst >= 1 and a positive interval");
        }
        this.burst = burst;
        this.intervalNanos = interval.toNanos();
        this.tokens = burst;
        this.last = now;
    }

    /** Takes a token if one is available now. */
    boolean tryTake(Instant now) {
        refill(now);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** How long until a token is available (zero if one is). */
    Duration untilNext(Instant now) {
        refill(now);
        if (tokens >= 1) {
            return Duration.ZERO;
        }
        return Duration.ofNanos((long) Math.ceil((1 - tokens) * intervalNanos));
    }

    /** Tokens available now (fractional). */
    double available(Instant now) {
        refill(now);
        return tokens;
    }

    private void refill(Instant now) {
        long elapsed = Duration.between(last, now).toNanos();
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + (double) elapsed / intervalNanos);
            last = now;
        }
    }
}
