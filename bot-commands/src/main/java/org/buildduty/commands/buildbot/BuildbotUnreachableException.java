package org.buildduty.commands.buildbot;

/**
 * A Buildbot call that got no answer from the master itself: the connection failed or timed out, or a proxy in front
 * of it answered 502, 503 or 504. A master being restarted looks like this for a few seconds, so a caller following a
 * build may wait and ask again, where any other {@link BuildbotException} is final.
 */
public final class BuildbotUnreachableException extends BuildbotException {
    public BuildbotUnreachableException(String message) {
        super(message);
    }

    public BuildbotUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True for the statuses a proxy gives while the master behind it is down. */
    static boolean gatewayStatus(int status) {
        return status == 502 || status == 503 || status == 504;
    }
}
