package org.buildduty.core.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.command.BotService;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.time.Ticker;

/**
 * Builds an {@link Engine}: the registry, authorizer, journal and runner are required; everything else has a default
 * (system ticker, no inventory, prefix {@code !}, nick {@code buildduty}, no web links, no secrets, cancel role
 * {@code releng}, no services, no meters, a 5-minute reconnect budget, 20 live operations, 5 pending approvals per
 * requester).
 *
 * <pre>{@code
 * Engine engine = Engine.builder().connector(console).registry(commands).authorizer(authorizer)
 *         .journal(journal).runner(runner).build();
 * }</pre>
 */
public final class EngineBuilder {
    final Map<String, Connector> connectors = new LinkedHashMap<>();
    CommandRegistry registry;
    Authorizer authorizer;
    Journal journal;
    Runner runner;
    Ticker ticker = Ticker.system();
    Inventory inventory = Inventory.EMPTY;
    String prefix = "!";
    String nick = "buildduty";
    Supplier<String> webUrl = () -> "";
    Redactor redactor = Redactor.NONE;
    String cancelRole = "releng";
    final List<BotService> services = new ArrayList<>();
    BotMetrics metrics = BotMetrics.none();
    Duration reconnectBudget = Duration.ofMinutes(5);
    int maxLiveOperations = 20;
    int maxPendingApprovals = 5;
    boolean privateApprovals;

    public EngineBuilder connector(Connector c) {
        if (connectors.putIfAbsent(c.id(), c) != null) {
            throw new IllegalArgumentException("connector id used twice: " + c.id());
        }
        return this;
    }

    public EngineBuilder registry(CommandRegistry r) {
        this.registry = r;
        return this;
    }

    public EngineBuilder authorizer(Authorizer a) {
        this.authorizer = a;
        return this;
    }

    public EngineBuilder journal(Journal j) {
        this.journal = j;
        return this;
    }

    public EngineBuilder runner(Runner r) {
        this.runner = r;
        return this;
    }

    public EngineBuilder ticker(Ticker t) {
        this.ticker = t;
        return this;
    }

    public EngineBuilder inventory(Inventory i) {
        this.inventory = i;
        return this;
    }

    public EngineBuilder prefix(String p) {
        this.prefix = p;
        return this;
    }

    public EngineBuilder nick(String n) {
        this.nick = n;
        return this;
    }

    /** Base URL of the web page for links in chat; empty for none. */
    public EngineBuilder webUrl(String u) {
        this.webUrl = () -> u;
        return this;
    }

    /**
     * Base URL of the web page for links in chat, asked at each link: for a page whose address is known only once
     * it listens (port 0). Empty or null for none.
     */
    public EngineBuilder webUrl(Supplier<String> u) {
        this.webUrl = Objects.requireNonNull(u, "webUrl");
        return this;
    }

    public EngineBuilder redactor(Redactor r) {
        this.redactor = r;
        return this;
    }

    /** The role that may cancel anyone's operation (default {@code releng}). */
    public EngineBuilder cancelRole(String role) {
        this.cancelRole = role;
        return this;
    }

    /** A service the engine starts after its connectors, ticks, and closes before them. */
    public EngineBuilder service(BotService s) {
        services.add(Objects.requireNonNull(s, "service"));
        return this;
    }

    /** The meters commands, operations, approvals and connectors count in (default: none). */
    public EngineBuilder metrics(BotMetrics m) {
        this.metrics = Objects.requireNonNull(m, "metrics");
        return this;
    }

    /** How long a connector may be reconnecting before {@link Engine#health()} reports it (default 5 min). */
    public EngineBuilder reconnectBudget(Duration d) {
        this.reconnectBudget = Objects.requireNonNull(d, "reconnectBudget");
        return this;
    }

    /** How many operations may be pending approval or running at once; more are refused (default 20). */
    public EngineBuilder maxLiveOperations(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxLiveOperations must be at least 1");
        }
        this.maxLiveOperations = n;
        return this;
    }

    /**
     * True to count {@code approve} and {@code deny} from any room (a private message included); by default they
     * count only in the room the operation was requested in ({@code bot.private_approvals}).
     */
    public EngineBuilder privateApprovals(boolean allowed) {
        this.privateApprovals = allowed;
        return this;
    }

    /** How many requests one person may have waiting for approval; more are refused (default 5). */
    public EngineBuilder maxPendingApprovals(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("maxPendingApprovals must be at least 1");
        }
        this.maxPendingApprovals = n;
        return this;
    }

    public Engine build() {
        return new Engine(this);
    }

    EngineBuilder() {
    }
}
