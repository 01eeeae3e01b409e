package org.buildduty.core.time;

import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket: up to {@code burst} tokens, refilled by one every {@code interval}; it starts full. A zero interval
 * means no limit at all. Time comes from the caller (the injected ticker), so tests drive it by hand. Not
 * thread-safe; its owner guards it.
 *
 * <p>{@link #tryTake} takes a token only when one is there; {@link #take} takes one whatever is left, going into
 * debt down to {@code -burst}, for what must go out at once (an answer to a person) but still counts.
 *
 * <pre>{@code
 * TokenBucket b = new TokenBucket(4, Duration.ofMillis(600), ticker.now());
 * b.tryTake(ticker.now());      // true four times, then false
 * b.untilNext(ticker.now());    // 600 ms
 * }</pre>
 */
public final class TokenBucket {
    /** The most tokens a bucket starts with, whatever its burst. */
    private static final int MOST_AT_START = 1_000_000;

    private final int burst;
    private final Duration interval;
    private double tokens;
    private Instant last;

    /**
     * A full bucket at {@code now}.
     *
     * @throws IllegalArgumentException for a negative burst or interval
     */
    public TokenBucket(int burst, Duration interval, Instant now) {
        if (burst < 0 || interval.isNegative()) {
            throw new IllegalArgumentException("burst >= 0 and an interval >= 0");
        }
        this.burst = burst;
        this.interval = interval;
        this.tokens = Math.min(burst, MOST_AT_START);
        this.last = now;
    }

    /** Takes a token if one is available now. */
    public boolean tryTake(Instant now) {
        refill(now);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Takes a token even if none is available, owing it (at most {@code burst} tokens are owed). */
    public void take(Instant now) {
        refill(now);
        tokens = Math.max(tokens - 1, -burst);
    }

    /** How long until a token is available (zero if one is). */
    public Duration untilNext(Instant now) {
        refill(now);
        if (tokens >= 1) {
            return Duration.ZERO;
        }
        return Duration.ofNanos((long) Math.ceil((1 - tokens) * interval.toNanos()));
    }

    /** Tokens available now (fractional; negative while owing). */
    public double available(Instant now) {
        refill(now);
        return tokens;
    }

    private void refill(Instant now) {
        if (interval.isZero()) {
            tokens = Integer.MAX_VALUE;
            last = now;
            return;
        }
        long elapsed = Duration.between(last, now).toNanos();
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + (double) elapsed / interval.toNanos());
            last = now;
        }
    }
}
