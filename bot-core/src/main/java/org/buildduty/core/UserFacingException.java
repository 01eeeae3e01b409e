package org.buildduty.core;

/**
 * An expected failure whose message is one line safe to post in a chat room.
 *
 * <p>Subtypes name the kind of failure; the dispatcher posts {@link #getMessage()} as it is.
 */
public class UserFacingException extends BuilddutyException {
    public UserFacingException(String message) {
        super(message);
    }

    public UserFacingException(String message, Throwable cause) {
        super(message, cause);
    }
}
