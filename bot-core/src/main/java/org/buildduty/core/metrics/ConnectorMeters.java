package org.buildduty.core.metrics;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one connector, tagged {@code connector=<id>}: messages sent, rate-limit waits and reconnects.
 * A connector counts a message when the chat accepted it (an IRC line written, a Matrix or Zulip request answered
 * 2xx), and a rate-limit wait whenever it holds a message back: its own pacer (IRC) or the server's 429.
 *
 * <pre>{@code
 * ConnectorMeters m = metrics.connector("libera");
 * m.messageSent();
 * m.rateLimitWait(Duration.ofMillis(400));
 * }</pre>
 */
public final class ConnectorMeters {
    /** Meters that record nothing, for connectors used outside an engine. */
    public static final ConnectorMeters NONE = BotMetrics.none().connector("none");

    private final Counter sent;
    private final Timer waits;
    private final Counter reconnects;

    ConnectorMeters(MeterRegistry registry, String id) {
        this.sent = Counter.builder("buildduty.messages.sent").description("Chat messages (IRC lines) sent")
                .tag("connector", id).register(registry);
        this.waits = Timer.builder("buildduty.ratelimit.waits")
                .description("Times a message was held back by a rate limit (own pacer or the server's 429)")
                .tag("connector", id).register(registry);
        this.reconnects = Counter.builder("buildduty.connector.reconnects")
                .description("Connections made again after a loss").tag("connector", id).register(registry);
    }

    /** One message (or IRC line) accepted by the chat. */
    public void messageSent() {
        sent.increment();
    }

    /** One wait imposed by a rate limit, of {@code d}. */
    public void rateLimitWait(Duration d) {
        waits.record(d);
    }

    /** The connection came back after it was lost. */
    public void reconnected() {
        reconnects.increment();
    }
}
