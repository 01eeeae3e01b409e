package org.buildduty.exec.http;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one reader of {@code Retry-After} values, for the {@code http} and {@code wait_until} steps and the Matrix and
 * Zulip connectors: how long a 429 (or 503) asks to wait. What to do with it (cap it, fall back to a backoff, give
 * up) is each caller's own policy.
 *
 * <p>A value is delta-seconds ({@code 30}), with a fraction as Zulip sends them ({@code 28.706807374954224}), or an
 * HTTP date ({@code Wed, 21 Oct 2026 07:28:00 GMT}, a date already past meaning zero). Seconds are rounded to the
 * millisecond and saturate at {@link #LONGEST}. Zulip also puts the seconds in its JSON
 * body ({@code "retry-after": 1.75}): {@link #seconds(JsonNode)}. Matrix's {@code retry_after_ms} stays Matrix's.
 *
 * <pre>{@code
 * RetryAfter.parse("3", now)                                  // PT3S
 * RetryAfter.parse("0.25", now)                               // PT0.25S
 * RetryAfter.parse("Wed, 21 Oct 2026 07:28:00 GMT", now)      // the time from now to then
 * RetryAfter.parse("soon", now)                               // empty
 * }</pre>
 */
public final class RetryAfter {
    /** The longest wait read; larger values are cut to it (every caller caps far lower). */
    public static final Duration LONGEST = Duration.ofSeconds(999_999_999);

    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,20})?");

    private RetryAfter() {
    }

    /** The wait a {@code Retry-After} header value asks for at {@code now}; empty when it is neither form. */
    public static Optional<Duration> parse(String value, Instant now) {
        if (value == null) {
            return Optional.empty();
        }
        String s = value.strip();
        if (SECONDS.matcher(s).matches()) {
            return Optional.of(of(new BigDecimal(s)));
        }
        try {
            Instant then = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration until = Duration.between(now, then);
            return Optional.of(until.isNegative() ? Duration.ZERO : until);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The wait a JSON number of seconds asks for; empty for anything but a number of at least zero. */
    public static Optional<Duration> seconds(JsonNode n) {
        if (n == null || !n.isNumber()) {
            return Optional.empty();
        }
        if (n.isFloatingPointNumber() && !Double.isFinite(n.asDouble())) {
            return Optional.empty();
        }
        BigDecimal d = n.decimalValue();
        return d.signum() < 0 ? Optional.empty() : Optional.of(of(d));
    }

    private static Duration of(BigDecimal seconds) {
        if (seconds.compareTo(BigDecimal.valueOf(LONGEST.getSeconds())) >= 0) {
            return LONGEST;
        }
        return Duration.ofMillis(seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact());
    }
}
