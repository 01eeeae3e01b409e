package org.buildduty.app.web;

import java.util.Map;

import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.pipeline.Health;

/** {@code /healthz} and {@code /metrics}: plain text for machines. */
final class Probes {
    /** The Prometheus text format's content type. */
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Engine engine;

    Probes(Engine engine) {
        this.engine = engine;
    }

    /**
     * 200 {@code ok} and each connector's state, or 503 with the problems, one a line (redacted); without
     * {@code details} (a request without the token when one is configured) only {@code ok} or {@code failing}.
     */
    void health(Context ctx, boolean details) {
        Health.Report r = engine.health();
        StringBuilder sb = new StringBuilder();
        if (!details) {
            ctx.status(r.ok() ? 200 : 503).contentType("text/plain; charset=utf-8").result(r.ok() ? "ok\n"
                    : "failing\n");
            return;
        }
        if (r.ok()) {
            sb.append("ok\n");
        } else {
            r.problems().forEach(p -> sb.append(engine.secrets().redact(p)).append('\n'));
        }
        for (Map.Entry<String, String> c : r.connectors().entrySet()) {
            sb.append("connector ").append(c.getKey()).append(": ").append(c.getValue()).append('\n');
        }
        ctx.status(r.ok() ? 200 : 503).contentType("text/plain; charset=utf-8").result(sb.toString());
    }

    /** The Prometheus scrape; 404 when the bot's meters are not on a Prometheus registry. */
    void metrics(Context ctx) {
        MeterRegistry registry = engine.metrics().registry();
        if (!(registry instanceof PrometheusMeterRegistry prometheus)) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("metrics are not kept\n");
            return;
        }
        ctx.status(200).contentType(PROMETHEUS_TYPE).result(prometheus.scrape());
    }
}
