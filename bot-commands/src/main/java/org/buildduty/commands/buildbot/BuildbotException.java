package org.buildduty.commands.buildbot;

import org.buildduty.core.UserFacingException;

/**
 * A Buildbot call that failed, with one chat-safe line saying why: an unknown builder, a refusal, a rejected
 * parameter, a server error, or a master that cannot be reached. Never holds a password or a session cookie.
 */
public class BuildbotException extends UserFacingException {
    public BuildbotException(String message) {
        super(message);
    }

    public BuildbotException(String message, Throwable cause) {
        super(message, cause);
    }
}
