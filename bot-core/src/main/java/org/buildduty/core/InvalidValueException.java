package org.buildduty.core;

/** A parameter value failed validation; the message names the parameter and why, never echoing control characters. */
public final class InvalidValueException extends UserFacingException {
    public InvalidValueException(String message) {
        super(message);
    }
}
