package org.buildduty.core.chat;

/** A connector connected, lost its connection, or gave up. */
public record ConnectionChanged(String connectorId, State state, String detail) implements ChatEvent {
    /** Connection states. */
    public enum State { CONNECTED, RECONNECTING, FAILED, CLOSED }
}
