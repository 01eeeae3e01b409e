package org.buildduty.core;

/** The command name is not registered; the message names the closest match when there is one. */
public final class UnknownCommandException extends UserFacingException {
    public UnknownCommandException(String message) {
        super(message);
    }
}
