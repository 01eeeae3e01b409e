package org.buildduty.core.metrics;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.buildduty.core.chat.ConnectorMeters;

/** The meters of one connector on a Micrometer registry, tagged {@code connector=<id>}. */
final class MicrometerConnectorMeters implements ConnectorMeters {
    private final Counter sent;
    private final Timer waits;
    private final Counter reconnects;

    MicrometerConnectorMeters(MeterRegistry registry, String id) {
        this.sent = Counter.builder("buildduty.messages.sent").description("Chat messages (IRC lines) sent")
                .tag("connector", id).register(registry);
        this.waits = Timer.builder("buildduty.ratelimit.waits")
                .description("Times a message was held back by a rate limit (own pacer or the server's 429)")
                .tag("connector", id).register(registry);
        this.reconnects = Counter.builder("buildduty.connector.reconnects")
                .description("Connections made again after a loss").tag("connector", id).register(registry);
    }

    @Override
    public void messageSent() {
        sent.increment();
    }

    @Override
    public void rateLimitWait(Duration d) {
        waits.record(d);
    }

    @Override
    public void reconnected() {
        reconnects.increment();
    }
}
