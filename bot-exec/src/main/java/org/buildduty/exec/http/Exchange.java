package org.buildduty.exec.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.Headers;

/**
 * What one HTTP call gave: a status with its body (and the body as JSON where it is JSON), or an I/O failure.
 *
 * @param status the HTTP status, or -1 when the call failed without an answer
 * @param reason {@code 200 OK}, or why the call failed ({@code connection refused})
 * @param body the response body (bounded), empty when none
 * @param json the body parsed as JSON, or null
 * @param headers the response headers (empty on failure)
 * @param elapsed how long the call took, by the ticker
 * @param timedOut true when the call ran out of the time it was given
 * @param cancelled true when the run was cancelled during the call
 */
record Exchange(int status, String reason, byte[] body, JsonNode json, Headers headers, Duration elapsed,
        boolean timedOut, boolean cancelled) {
    static Exchange failure(String reason, Duration elapsed, boolean timedOut, boolean cancelled) {
        return new Exchange(-1, reason, new byte[0], null, Headers.of(), elapsed, timedOut, cancelled);
    }

    boolean answered() {
        return status >= 0;
    }

    /** The start of the body as one line. */
    String excerpt() {
        return HttpText.excerpt(body);
    }

    /**
     * How long a 429 or 503 asks to wait: the {@code Retry-After} header (read by {@link RetryAfter}: seconds,
     * fractions allowed as Zulip sends them, or an HTTP date), else a {@code retry-after} (seconds) or
     * {@code retry_after_ms} member of a JSON body; null when none is given. Waits are rounded to the millisecond.
     */
    Duration retryAfter(Instant now) {
        String h = headers.get("Retry-After");
        if (h != null) {
            return RetryAfter.parse(h, now).orElse(null);
        }
        if (json != null && json.isObject()) {
            Optional<Duration> s = RetryAfter.seconds(json.get("retry-after"));
            if (s.isPresent()) {
                return s.get();
            }
            JsonNode ms = json.get("retry_after_ms");
            if (ms != null && ms.canConvertToLong() && ms.asLong() >= 0) {
                return Duration.ofMillis(ms.asLong());
            }
        }
        return null;
    }
}
