package org.buildduty.core;

/** An announcement target names no room a configured connector can post to; the message says which targets work. */
public final class UnknownTargetException extends UserFacingException {
    public UnknownTargetException(String message) {
        super(message);
    }
}
