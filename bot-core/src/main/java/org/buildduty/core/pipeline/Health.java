package org.buildduty.core.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.JournalWriter;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.time.Ticker;

/**
 * Whether the bot can do its job: the journal takes writes, and every connector is connected, or reconnecting for
 * no longer than its budget. It follows the connectors' {@link ConnectionChanged} events (a connector that has not
 * reported yet counts as connecting since the engine started) and counts reconnects in the connector's meters.
 *
 * <pre>{@code
 * Health.Report r = engine.health();
 * if (!r.ok()) respond(503, String.join("; ", r.problems()));
 * }</pre>
 */
public final class Health {
    private final Map<String, Connector> connectors;
    private final JournalWriter journal;
    private final Ticker ticker;
    private final Duration budget;
    private final BotMetrics metrics;
    private final Instant since;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    /** The outcome: {@code ok}, or the problems, one short line each. */
    public record Report(boolean ok, List<String> problems, Map<String, String> connectors) {
    }

    /** The last state of a connector, since when, and whether it was ever connected. */
    private record Seen(ConnectionChanged.State state, String detail, Instant since, boolean wasConnected) {
    }

    Health(Map<String, Connector> connectors, JournalWriter journal, Ticker ticker, Duration budget,
            BotMetrics metrics) {
        this.connectors = connectors;
        this.journal = journal;
        this.ticker = ticker;
        this.budget = budget;
        this.metrics = metrics;
        this.since = ticker.now();
    }

    /** Records a connector's change; a CONNECTED after a loss counts as a reconnect. */
    void observe(ConnectionChanged c) {
        Instant now = ticker.now();
        seen.compute(c.connectorId(), (id, old) -> {
            boolean connected = c.state() == ConnectionChanged.State.CONNECTED;
            if (connected && old != null && old.wasConnected() && old.state() != ConnectionChanged.State.CONNECTED) {
                metrics.connector(id).reconnected();
            }
            Instant from = old != null && old.state() == c.state() ? old.since() : now;
            return new Seen(c.state(), c.detail(), from, connected || old != null && old.wasConnected());
        });
    }

    /** Checks the journal (a real write) and every connector now. */
    public Report check() {
        List<String> problems = new ArrayList<>();
        try {
            journal.checkWritable();
        } catch (JournalException e) {
            problems.add("journal: " + e.getMessage());
        }
        Instant now = ticker.now();
        Map<String, String> states = new TreeMap<>();
        for (Connector c : connectors.values()) {
            Seen s = seen.get(c.id());
            ConnectionChanged.State state = s == null ? ConnectionChanged.State.RECONNECTING : s.state();
            Instant from = s == null ? since : s.since();
            String detail = s == null ? "not connected yet" : s.detail();
            Duration in = Duration.between(from, now);
            states.put(c.id(), state.name().toLowerCase(Locale.ROOT));
            if (!c.healthy() || state == ConnectionChanged.State.FAILED || state == ConnectionChanged.State.CLOSED) {
                problems.add(c.id() + ": " + state.name().toLowerCase(Locale.ROOT) + " (" + detail + ")");
            } else if (state == ConnectionChanged.State.RECONNECTING && in.compareTo(budget) > 0) {
                problems.add(c.id() + ": reconnecting for " + in.toSeconds() + " s, over its budget of "
                        + budget.toSeconds() + " s (" + detail + ")");
            }
        }
        return new Report(problems.isEmpty(), List.copyOf(problems), states);
    }
}
