package org.buildduty.core;

/** The caller lacks the role a command or an approval needs; the message names the role. */
public final class NotAllowedException extends UserFacingException {
    public NotAllowedException(String message) {
        super(message);
    }
}
