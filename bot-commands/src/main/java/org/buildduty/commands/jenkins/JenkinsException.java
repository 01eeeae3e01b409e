package org.buildduty.commands.jenkins;

import org.buildduty.core.UserFacingException;

/**
 * A Jenkins call that failed, with one chat-safe line saying why: an unknown job, a refusal (401, 403), a job that is
 * disabled (409) or was triggered without its parameters (400), a server error, or a Jenkins that cannot be reached.
 * Never holds a token, a password, a crumb or a session cookie.
 */
public class JenkinsException extends UserFacingException {
    /** The HTTP status Jenkins answered, or 0 when it did not answer. */
    private final int status;

    public JenkinsException(String message, int status) {
        super(message);
        this.status = status;
    }

    public JenkinsException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status Jenkins answered, or 0 when it did not answer. */
    public int status() {
        return status;
    }

    /** True when Jenkins did not answer: connection refused or timed out, or a proxy's 502, 503 or 504. */
    public boolean unreachable() {
        return status == 0 || status == 502 || status == 503 || status == 504;
    }
}
