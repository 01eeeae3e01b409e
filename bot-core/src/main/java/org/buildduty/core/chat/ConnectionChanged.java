package org.buildduty.core.chat;

/**
 * A connector connected, lost its connection, or gave up.
 *
 * @param droppedLines chat lines the connector could not send and dropped since its previous event (queue overflow
 *     while disconnected, or unsent at close); journaled with the event
 */
public record ConnectionChanged(String connectorId, State state, String detail, long droppedLines)
        implements ChatEvent {
    /** Connection states. */
    public enum State { CONNECTED, RECONNECTING, FAILED, CLOSED }

    /** An event with nothing dropped. */
    public ConnectionChanged(String connectorId, State state, String detail) {
        this(connectorId, state, detail, 0);
    }
}
