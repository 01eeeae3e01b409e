package org.buildduty.core;

/** The unchecked root of every buildduty failure; its message may hold internal detail and never goes to chat. */
public class BuilddutyException extends RuntimeException {
    public BuilddutyException(String message) {
        super(message);
    }

    public BuilddutyException(String message, Throwable cause) {
        super(message, cause);
    }
}
