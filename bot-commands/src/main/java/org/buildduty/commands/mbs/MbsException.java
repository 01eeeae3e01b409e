package org.buildduty.commands.mbs;

import org.buildduty.core.ServiceException;

/** MBS refused, failed or could not be reached; the message is one chat-safe line. */
public final class MbsException extends ServiceException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public MbsException(int status, String message) {
        super(message);
        this.status = status;
    }

    public MbsException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status MBS answered, or 0 when it was not reached (refused, timed out). */
    public int status() {
        return status;
    }

    /** True for failures that may pass by themselves: not reached, a timeout, or a 5xx answer. */
    public boolean transientFailure() {
        return status == 0 || status >= 500;
    }
}
