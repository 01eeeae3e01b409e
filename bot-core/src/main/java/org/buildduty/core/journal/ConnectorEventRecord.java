package org.buildduty.core.journal;

import java.time.Instant;

import org.buildduty.core.chat.ConnectionChanged;

/**
 * One change of a connector's connection, as journaled: connected, reconnecting, failed or closed, with the
 * connector's reason and the count of queued chat lines it had to drop since its previous event.
 *
 * @param connector    the connector id
 * @param state        the new state
 * @param detail       the connector's one-line reason
 * @param droppedLines chat lines dropped (not sent) since the connector's previous event
 * @param at           when the bot saw the change
 */
public record ConnectorEventRecord(String connector, ConnectionChanged.State state, String detail,
        long droppedLines, Instant at) {
}
