package org.buildduty.core.chat;

import java.time.Duration;

/**
 * The meters of one connector, tagged {@code connector=<id>}: messages sent, rate-limit waits and reconnects.
 * A connector counts a message when the chat accepted it (an IRC line written, a Matrix or Zulip request answered
 * 2xx), and a rate-limit wait whenever it holds a message back: its own pacer (IRC) or the server's 429.
 * The engine hands each connector its meters ({@code BotMetrics.connector(id)}) through
 * {@link Connector#useMeters}.
 *
 * <pre>{@code
 * ConnectorMeters m = metrics.connector("libera");
 * m.messageSent();
 * m.rateLimitWait(Duration.ofMillis(400));
 * }</pre>
 */
public interface ConnectorMeters {
    /** Meters that record nothing, for connectors used outside an engine. */
    ConnectorMeters NONE = new ConnectorMeters() {
        @Override
        public void messageSent() {
        }

        @Override
        public void rateLimitWait(Duration d) {
        }

        @Override
        public void reconnected() {
        }
    };

    /** One message (or IRC line) accepted by the chat. */
    void messageSent();

    /** One wait imposed by a rate limit, of {@code d}. */
    void rateLimitWait(Duration d);

    /** The connection came back after it was lost. */
    void reconnected();
}
