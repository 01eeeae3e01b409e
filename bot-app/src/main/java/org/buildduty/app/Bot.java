package org.buildduty.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.BotSettings;
import org.buildduty.app.config.ClusterSettings;
import org.buildduty.app.config.ConnectorConfig;
import org.buildduty.app.config.ConnectorType;
import org.buildduty.app.store.BotJournal;
import org.buildduty.app.store.PostgresJournal;
import org.buildduty.app.store.PostgresLeadership;
import org.buildduty.app.store.SqliteJournal;
import org.buildduty.app.web.WebServer;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.connectors.console.ConsoleConnector;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.pipeline.EngineBuilder;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.time.Ticker;

/**
 * The wired bot: configuration in, a running engine out. Built in one place from explicit lists (no scanning), and
 * stopped once, whichever comes first: end of console input or a signal.
 */
final class Bot implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Bot.class);
    /** How long start-up waits for each IRC or Zulip connection before going on without it. */
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(30);

    private final BotJournal journal;
    private final Engine engine;
    private final List<StepExecutor> executors;
    /** The connections start-up waits for: IRC first, then the others, each in file order. */
    private final List<Waiting> first;
    private final List<Waiting> then;
    private final boolean hasConsole;
    private final Catalog catalog;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Web web;
    private final Leading leading;
    private final BotConfig cfg;
    private final ConnectionReport report;
    private volatile WebServer webServer;

    /**
     * The status page as configured: where it listens (empty for {@code web: off}), its read token, the JVM meters
     * to close, and the bound base URL that chat links use when {@code web_url} is not set.
     */
    private record Web(Optional<BotSettings.WebAddress> address, Optional<String> token, Optional<URI> publicUrl,
            JvmGcMetrics gc, AtomicReference<String> boundUrl) {
    }

    private Bot(BotJournal journal, Engine engine, List<StepExecutor> executors, List<Waiting> first,
            List<Waiting> then, boolean hasConsole, Catalog catalog, Web web, Leading leading, BotConfig cfg,
            ConnectionReport report) {
        this.report = report;
        this.leading = leading;
        this.cfg = cfg;
        this.web = web;
        this.journal = journal;
        this.engine = engine;
        this.executors = executors;
        this.first = List.copyOf(first);
        this.then = List.copyOf(then);
        this.hasConsole = hasConsole;
        this.catalog = catalog;
    }

    /** Makes the connector of a {@code type: console} entry; {@code onEnd} stops the bot (end of input). */
    interface ConsoleFactory {
        Connector create(String id, Ticker ticker, Runnable onEnd);
    }

    /**
     * Builds the bot; configuration or runbook errors throw {@link ConfigException} before anything starts. A reload
     * ({@code reload}, SIGHUP) reads the configuration again with {@code source}.
     */
    static Bot build(BotConfig cfg, Supplier<BotConfig> source, InputStream in, PrintStream out) {
        return build(cfg, source, (id, ticker, onEnd) -> new ConsoleConnector(id, in, out, ticker, onEnd));
    }

    /** A bot that cannot reload, with the console connector made by {@code console} (tests drive it in-process). */
    static Bot build(BotConfig cfg, ConsoleFactory console) {
        return build(cfg, null, console);
    }

    /**
     * The same, reloading from {@code source} (null: {@code reload} answers it is not available), with the console
     * connector made by {@code console}.
     */
    static Bot build(BotConfig cfg, Supplier<BotConfig> source, ConsoleFactory console) {
        Catalog catalog = Catalog.of(cfg);
        return build(cfg, source, console, catalog, openJournal(cfg, Ticker.system()), Leading.ALONE);
    }

    /**
     * The same, from {@code catalog} (made by {@link Catalog#of} from {@code cfg}), on a journal already open (the bot
     * closes it), as {@code leading} says: the leader of instances that share a PostgreSQL journal, or alone on its
     * own.
     */
    static Bot build(BotConfig cfg, Catalog catalog, Supplier<BotConfig> source, InputStream in, PrintStream out,
            BotJournal journal, Leading leading) {
        return build(cfg, source, (id, ticker, onEnd) -> new ConsoleConnector(id, in, out, ticker, onEnd), catalog,
                journal, leading);
    }

    /**
     * The journal {@code bot.journal} names: the SQLite file, or the PostgreSQL database (not fenced: only a leader
     * that {@link Leading} describes writes to a shared one).
     */
    static BotJournal openJournal(BotConfig cfg, Ticker ticker) {
        Optional<ClusterSettings.Postgres> pg = cfg.bot().cluster().postgres();
        if (pg.isPresent()) {
            return PostgresJournal.open(pg.get().url(), pg.get().password().map(p -> p.reveal()).orElse(null),
                    ticker, cfg.bot().cluster().takeoverAfter());
        }
        return SqliteJournal.open(cfg.bot().journal(), ticker);
    }

    private static void closeQuietly(BotJournal journal) {
        try {
            journal.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the journal", e);
        }
    }

    /**
     * How this instance came to run: {@link #ALONE} on its own journal, or as the leader of the instances sharing a
     * PostgreSQL journal, with its lease (checked before every chat line), what cut off the operations it finds
     * running ({@code the bot failed over from bd-a}), and the notice for every room when it took over from another
     * instance.
     */
    record Leading(Optional<PostgresLeadership> leadership, String restartCause, Optional<Takeover> takeover) {
        static final Leading ALONE = new Leading(Optional.empty(), Engine.RESTARTED, Optional.empty());
    }

    /**
     * This instance took over from {@code previous} at {@code at} with {@code epoch}; {@code previous} was last
     * alive at {@code gapFrom} and stopped cleanly ({@code failover} false) or not.
     */
    record Takeover(String instance, long epoch, String previous, Instant gapFrom, Instant at, boolean failover) {
        /** The one line for a room: when, from whom, and what happened to messages sent there meanwhile. */
        String line(boolean catchesUp) {
            String head = failover
                    ? "buildduty failed over from " + previous + " to " + instance + " at " + hms(at) + " UTC (epoch "
                            + epoch + "); " + previous + " was last alive at " + hms(gapFrom)
                    : "buildduty: " + instance + " took over from " + previous + " at " + hms(at) + " UTC (epoch "
                            + epoch + "); " + previous + " stopped at " + hms(gapFrom);
            return head + (catchesUp
                    ? "; messages sent here in between are read now (a command is never run twice)"
                    : "; messages sent here in between were not seen: repeat any command you sent then");
        }

        private static String hms(Instant t) {
            return DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC).format(t);
        }
    }

    private static Bot build(BotConfig cfg, Supplier<BotConfig> source, ConsoleFactory console, Catalog catalog,
            BotJournal journal, Leading leading) {
        Ticker ticker = Ticker.system();
        List<StepExecutor> executors = catalog.executors();
        CommandRegistry commands = catalog.registry();
        RoleResolver roles = catalog.roles();
        JvmGcMetrics gc = new JvmGcMetrics();
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            gc.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            Gauge.builder("buildduty.journal.bytes", journal, BotJournal::sizeBytes)
                    .description("The journal's size: its SQLite file and WAL, or its PostgreSQL tables")
                    .register(registry);
            AtomicReference<String> boundUrl = new AtomicReference<>("");
            Web web = new Web(cfg.bot().web(), cfg.bot().webToken().map(t -> t.reveal()), cfg.bot().webUrl(), gc,
                    boundUrl);
            Runner runner = Runner.builder().executors(executors).ticker(ticker).maxConcurrentHostRuns(32)
                    .defaultStepTimeout(Duration.ofMinutes(30)).timerPeriod(Duration.ZERO)
                    .closeGrace(Duration.ofSeconds(30)).build();
            Bot[] self = new Bot[1];
            EngineBuilder eb = Engine.builder().registry(commands).authorizer(new Authorizer(roles,
                    cfg.bot().anonymous())).journal(journal).runner(runner).ticker(ticker)
                    .inventory(new LiveInventory(catalog.inventory()))
                    .prefix(cfg.bot().prefix()).nick(cfg.bot().nick()).redactor(Secrets.redactor(cfg))
                    .metrics(new BotMetrics(registry))
                    .maxLiveOperations(cfg.bot().limits().maxLiveOperations())
                    .maxPendingApprovals(cfg.bot().limits().maxPendingApprovals())
                    .privateApprovals(cfg.bot().privateApprovals());
            if (cfg.bot().webUrl().isPresent()) {
                eb.webUrl(cfg.bot().webUrl().get().toString());
            } else {
                eb.webUrl(boundUrl::get);
            }
            catalog.services().forEach(eb::service);
            eb.service(new JournalRetention(journal, cfg.bot().retention(), Bot::retentionThread));
            List<Waiting> first = new ArrayList<>();
            List<Waiting> then = new ArrayList<>();
            Set<String> remote = new HashSet<>();
            cfg.connectors().stream().filter(c -> !c.connectorType().local()).forEach(c -> remote.add(c.id()));
            ConnectionReport report = new ConnectionReport(remote, Secrets.redactor(cfg));
            Optional<PostgresLeadership> lease = leading.leadership();
            Runnable guard = lease.isPresent() ? lease.get()::checkLease : () -> { };
            ConnectorType.Wiring wiring = new ConnectorType.Wiring(ticker, journal,
                    id -> console.create(id, ticker, () -> self[0].stopped.countDown()), guard);
            for (ConnectorConfig c : cfg.connectors()) {
                ConnectorType.Started started = c.connectorType().start(c, wiring);
                started.await().ifPresent(await -> (started.firstRound() ? first : then)
                        .add(new Waiting(() -> await.accept(CONNECT_WAIT), started.connector())));
                eb.connector(new WiredConnector(started.connector(), guard, report::changed));
            }
            boolean hasConsole = cfg.connectors().stream().anyMatch(c -> c.connectorType().local());
            Engine engine = eb.build();
            catalog.announcer().bind(engine.api().announcer());
            if (source != null) {
                catalog.reloading().set(new Reloader(source, engine, cfg, catalog));
            }
            self[0] = new Bot(journal, engine, executors, first, then, hasConsole, catalog, web, leading, cfg,
                    report);
            catalog.warnings().forEach(w -> LOG.warn("{}", w));
            return self[0];
        } catch (RuntimeException e) {
            gc.close();
            leading.leadership().ifPresent(PostgresLeadership::close);
            closeQuietly(journal);
            throw e;
        }
    }

    /**
     * Starts the web page (unless off), then the engine and its connectors, then waits for each IRC, Matrix and
     * Zulip connection. A refused login (SASL, a rejected Matrix token, a Zulip API key) is a start-up error and
     * throws {@link BuilddutyException} with one line; a server that does not answer yet is only logged: the connector
     * keeps trying with backoff while the bot runs.
     */
    void start() {
        // the page first, so the link of an operation started by the first message already points at it
        if (web.address().isPresent()) {
            BotSettings.WebAddress a = web.address().get();
            WebServer.Settings settings = WebServer.Settings.of(a.host(), a.port())
                    .withPublicUrl(web.publicUrl().orElse(null));
            webServer = WebServer.start(web.token().map(settings::withToken).orElse(settings), engine,
                    journal::outputPruned, this::runbooks);
            web.boundUrl().set(webServer.baseUrl());
            LOG.info("web page on {}/", webServer.baseUrl());
        }
        engine.start(leading.restartCause());
        for (Waiting w : first) {
            report.connecting(w.connector().id(), CONNECT_WAIT.toSeconds());
        }
        for (Waiting w : then) {
            report.connecting(w.connector().id(), CONNECT_WAIT.toSeconds());
        }
        for (Waiting w : first) {
            awaitConnected(w.await(), w.connector());
        }
        for (Waiting w : then) {
            awaitConnected(w.await(), w.connector());
        }
        report.started();
        leading.takeover().ifPresent(this::announceTakeover);
    }

    /** One line in every configured room: this instance took over, and what became of messages sent meanwhile. */
    private void announceTakeover(Takeover t) {
        for (ConnectorConfig c : cfg.connectors()) {
            String line = t.line(c.settings().catchesUp());
            for (String room : c.settings().rooms()) {
                try {
                    engine.api().announcer().announce(ChatAddress.of(c.id(), room), line);
                } catch (RuntimeException e) {
                    LOG.warn("cannot tell {} {} about the takeover: {}", c.id(), room, e.getMessage());
                }
            }
        }
        LOG.warn("{}", t.line(false));
    }

    /** A connector start-up waits for, and how. */
    private record Waiting(Runnable await, Connector connector) {
    }

    private static void awaitConnected(Runnable await, Connector c) {
        try {
            await.run();
        } catch (BuilddutyException e) {
            if (c.healthy()) {
                // the operator saw why on stderr already (ConnectionReport), once per reason
                LOG.info("{}; still trying in the background", e.getMessage());
            } else {
                throw e;
            }
        }
    }

    /**
     * Reloads on SIGHUP as {@code reload} does, on a thread of its own; the answer goes to the log, and to the
     * console room when there is a console. Returns false, having logged why, where the JVM has no signal handling.
     */
    boolean reloadOnHangup() {
        return Hangup.handle(() -> {
            Thread t = new Thread(this::reloadForHangup, "buildduty-sighup");
            t.setDaemon(true);
            t.start();
        });
    }

    private void reloadForHangup() {
        LOG.info("SIGHUP: reloading");
        List<String> lines = catalog.reloading().get().reload("SIGHUP");
        LOG.info("SIGHUP: {}", String.join(" | ", lines));
        for (String console : new TreeSet<>(catalog.ownerConnectors())) {
            ChatAddress room = ChatAddress.of(console, ConsoleConnector.ROOM);
            try {
                for (int i = 0; i < lines.size(); i++) {
                    String line = (i == 0 ? "SIGHUP: " : "") + lines.get(i);
                    engine.api().announcer().announce(room, line.length() > Announcer.MAX_TEXT
                            ? line.substring(0, Announcer.MAX_TEXT - 1) + "…" : line);
                }
            } catch (BuilddutyException e) {
                LOG.warn("cannot tell the console about the reload: {}", e.getMessage());
            }
        }
    }

    /** Runs one pruning of the journal on a daemon thread of its own. */
    private static void retentionThread(Runnable prune) {
        Thread t = new Thread(prune, "buildduty-retention");
        t.setDaemon(true);
        t.start();
    }

    /**
     * From now on the connections are reported on {@code stream} (the terminal's stderr): start-up says it is
     * connecting, then one line when each connects and once per reason it cannot.
     */
    void reportConnectionsTo(PrintStream stream) {
        report.printTo(stream);
    }

    /** True once {@link #close()} began (a signal may close the bot while it starts). */
    boolean closing() {
        return closed.get();
    }

    /** True when a console connector reads the terminal (end of input stops the bot). */
    boolean hasConsole() {
        return hasConsole;
    }

    int commandCount() {
        return catalog.registry().all().size();
    }

    int runbookCount() {
        return catalog.runbookCount();
    }

    /** The commands and runbooks it was built with. */
    /** The runbooks in use now: after a live reload, the reloaded ones ({@code /runbooks} lists these). */
    List<Runbook> runbooks() {
        return catalog.reloading().get() instanceof Reloader r ? r.runbooks() : catalog.runbooks();
    }

    Catalog catalog() {
        return catalog;
    }

    /** The running engine (tests drive it in-process). */
    Engine engine() {
        return engine;
    }

    /** Blocks until end of console input (or {@link #close()}). */
    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopped.countDown();
        List<String> running = engine.api().activeOperations().stream()
                // pending, queued and waiting operations stay in the journal for the next start; only runs stop
                .filter(op -> op.state() == OperationState.RUNNING || op.state() == OperationState.ROLLING_BACK)
                .map(op -> op.title()).toList();
        if (!running.isEmpty()) {
            LOG.warn("stopping: cancelling {} (their rollbacks run)", running);
        }
        try {
            WebServer w = webServer;
            if (w != null) {
                w.close();
            }
        } finally {
            try {
                engine.close();
            } finally {
                closeExecutors();
                web.gc().close();
                // the row says this leader stopped cleanly before the lock goes with the journal's connection
                leading.leadership().ifPresent(PostgresLeadership::close);
                journal.close();
            }
        }
    }

    /** Closes the executors that hold connections (SSH sessions), after the runner has stopped. */
    private void closeExecutors() {
        for (StepExecutor e : executors) {
            if (e instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ex) {
                    LOG.warn("closing the {} executor failed", e.kind(), ex);
                }
            }
        }
    }
}
