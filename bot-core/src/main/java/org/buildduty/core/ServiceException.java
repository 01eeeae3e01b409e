package org.buildduty.core;

/**
 * A service the bot depends on (a git remote, Buildbot, MBS) failed or refused; the message is one chat-safe line
 * naming the service and what it said, never a credential.
 */
public class ServiceException extends UserFacingException {
    public ServiceException(String message) {
        super(message);
    }

    public ServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
