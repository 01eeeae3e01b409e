package org.buildduty.connectors.zulip;

import java.time.Duration;

import com.github.jamesnetherton.zulip.client.exception.ZulipClientException;

/**
 * A Zulip API call that failed: the HTTP status (0 when no answer came), Zulip's error {@code code} (null if none)
 * and {@code msg}, and for a 429 the server's float {@code retry-after}. It extends the Java client's exception so
 * it passes unchanged through the client's request classes.
 */
final class ZulipError extends ZulipClientException {
    private final int status;
    private final String zulipCode;
    private final Duration retryAfter;

    ZulipError(int status, String code, String msg, Duration retryAfter, Throwable cause) {
        super(msg, code);
        this.status = status;
        this.zulipCode = code;
        this.retryAfter = retryAfter;
        if (cause != null) {
            initCause(cause);
        }
    }

    int status() {
        return status;
    }

    /** Zulip's error code ({@code BAD_EVENT_QUEUE_ID}, {@code RATE_LIMIT_HIT}, ...), or null. */
    String code() {
        return zulipCode;
    }

    boolean rateLimited() {
        return status == 429 || "RATE_LIMIT_HIT".equals(zulipCode);
    }

    /** How long to wait before the next call, from the 429's body or header; one second if it gave none. */
    Duration retryAfter() {
        return retryAfter == null ? Duration.ofSeconds(1) : retryAfter;
    }

    /** A bad API key, or a deactivated user or realm: retrying cannot help. */
    boolean authFailed() {
        return status == 401 || "INVALID_API_KEY".equals(zulipCode) || "USER_DEACTIVATED".equals(zulipCode)
                || "REALM_DEACTIVATED".equals(zulipCode) || "UNAUTHORIZED".equals(zulipCode);
    }

    /** The event queue is gone (garbage-collected or unknown); old servers only say it in {@code msg}. */
    boolean badQueue() {
        return "BAD_EVENT_QUEUE_ID".equals(zulipCode)
                || (zulipCode == null && getMessage() != null && getMessage().startsWith("Bad event queue id"));
    }

    /** A refusal of the request itself (HTTP 400), as opposed to a failure of the server or the network. */
    boolean badRequest() {
        return status == 400;
    }

    /** One line for logs and connection events: status, code and message; never credentials. */
    String describe() {
        if (status == 0) {
            return "no answer from the server: " + getMessage();
        }
        return "HTTP " + status + (zulipCode == null ? "" : " " + zulipCode) + ": " + getMessage();
    }
}
