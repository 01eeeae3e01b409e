package org.buildduty.commands.jenkins;

import java.time.Duration;
import java.util.Optional;

import org.buildduty.core.UserFacingException;

/**
 * A Jenkins call that failed, with one chat-safe line saying why: an unknown job, a refusal (401, 403), a job that is
 * disabled (409) or was triggered without its parameters (400), a server error, or a Jenkins that cannot be reached.
 * Never holds a token, a password, a crumb or a session cookie.
 */
public class JenkinsException extends UserFacingException {
    /** The HTTP status Jenkins answered, or 0 when it did not answer. */
    private final int status;
    /** How long Jenkins (or its proxy) asked to wait ({@code Retry-After}), or null. */
    private final Duration retryAfter;

    public JenkinsException(String message, int status) {
        this(message, status, null);
    }

    public JenkinsException(String message, int status, Duration retryAfter) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public JenkinsException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.retryAfter = null;
    }

    /** The wait a 429 or 503 asked for with {@code Retry-After}, if it did. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The HTTP status Jenkins answered, or 0 when it did not answer. */
    public int status() {
        return status;
    }

    /**
     * True when the failure may pass: Jenkins did not answer (connection refused or timed out, a proxy's 502, 503
     * or 504), or it asked to slow down (429).
     */
    public boolean unreachable() {
        return status == 0 || status == 429 || status == 502 || status == 503 || status == 504;
    }
}
