package org.buildduty.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

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
import org.buildduty.app.config.ConnectorConfig;
import org.buildduty.app.config.ConnectorType;
import org.buildduty.app.config.ServiceType;
import org.buildduty.app.config.ServiceTypes;
import org.buildduty.app.exec.StepKinds;
import org.buildduty.app.store.SqliteJournal;
import org.buildduty.app.web.WebServer;
import org.buildduty.commands.announce.AnnounceCommands;
import org.buildduty.commands.builtin.BuiltinCommands;
import org.buildduty.commands.disk.DiskCommands;
import org.buildduty.commands.maintenance.MaintenanceCommands;
import org.buildduty.commands.maintenance.MaintenanceSchedule;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.RunbookCommands;
import org.buildduty.commands.runbook.RunbookLoader;
import org.buildduty.connectors.console.ConsoleConnector;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.chat.LateAnnouncer;
import org.buildduty.core.command.BotService;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.operation.StepSpec;
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

    private final Journal journal;
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
    private volatile WebServer webServer;

    /**
     * The status page as configured: where it listens (empty for {@code web: off}), its read token, the JVM meters
     * to close, and the bound base URL that chat links use when {@code web_url} is not set.
     */
    private record Web(Optional<BotSettings.WebAddress> address, Optional<String> token, Optional<URI> publicUrl,
            JvmGcMetrics gc, AtomicReference<String> boundUrl) {
    }

    private Bot(Journal journal, Engine engine, List<StepExecutor> executors, List<Waiting> first,
            List<Waiting> then, boolean hasConsole, Catalog catalog, Web web) {
        this.web = web;
        this.journal = journal;
        this.engine = engine;
        this.executors = executors;
        this.first = List.copyOf(first);
        this.then = List.copyOf(then);
        this.hasConsole = hasConsole;
        this.catalog = catalog;
    }

    /**
     * What the configuration and runbooks define, checked, before anything starts or is opened; {@code announcer} is
     * bound to the engine once built.
     */
    record Catalog(List<StepExecutor> executors, CommandRegistry registry, List<Runbook> runbooks, RoleResolver roles,
            LateAnnouncer announcer, List<BotService> services) {
        int runbookCount() {
            return runbooks.size();
        }
    }

    /** Makes the connector of a {@code type: console} entry; {@code onEnd} stops the bot (end of input). */
    interface ConsoleFactory {
        Connector create(String id, Ticker ticker, Runnable onEnd);
    }

    /**
     * Loads the runbooks, registers the commands and checks the connectors (an IRC connector's {@code tls_ca_file}
     * is read); touches no journal, network or terminal, so {@code --check} can run beside a running bot. Errors
     * throw {@link ConfigException}.
     */
    static Catalog catalog(BotConfig cfg) {
        ServiceType.Wiring serviceWiring = new ServiceType.Wiring(Ticker.system(), gitCache(cfg));
        List<ServiceType.Installed> installed = new ArrayList<>();
        for (ServiceType<?> type : ServiceTypes.ALL) {
            type.install(cfg.services(), serviceWiring).ifPresent(installed::add);
        }
        LateAnnouncer announcer = new LateAnnouncer();
        List<StepExecutor> executors = StepKinds.of(cfg, Secrets.environmentNames(cfg), Ticker.system(),
                installed.stream().flatMap(i -> i.executors().stream()).toList(), announcer);
        Set<String> kinds = new HashSet<>();
        executors.forEach(e -> kinds.add(e.kind()));
        kinds.add(StepSpec.CONFIRM);   // run by the runner itself: it pauses the operation
        Set<String> connectorIds = new HashSet<>();
        cfg.connectors().forEach(c -> connectorIds.add(c.id()));
        List<Runbook> runbooks = RunbookLoader.loadAll(cfg.bot().runbooks(), kinds, executors, cfg.inventory(),
                connectorIds);

        CommandRegistry registry = new CommandRegistry();
        BuiltinCommands.commands(registry);
        AnnounceCommands.register(registry);
        List<BotService> services = new ArrayList<>();
        MaintenanceSchedule maintenance = new MaintenanceSchedule();
        MaintenanceCommands.register(registry, maintenance);
        services.add(maintenance);
        RunbookCommands.register(registry, runbooks);
        DiskCommands.register(registry);
        for (ServiceType.Installed service : installed) {
            service.commands().accept(registry);
            services.addAll(service.services());
        }

        Set<String> hostmask = new HashSet<>();
        Set<String> owners = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (ConnectorConfig c : cfg.connectors()) {
            if (c.connectorType().local()) {
                owners.add(c.id());
            } else if (c.settings().hostmaskPrincipals()) {
                hostmask.add(c.id());
            }
            c.connectorType().check(c, problems::add);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Catalog(executors, registry, List.copyOf(runbooks),
                new RoleResolver(cfg.roles(), cfg.people(), hostmask, owners),
                announcer, services);
    }

    /** Builds the bot; configuration or runbook errors throw {@link ConfigException} before anything starts. */
    static Bot build(BotConfig cfg, InputStream in, PrintStream out) {
        return build(cfg, (id, ticker, onEnd) -> new ConsoleConnector(id, in, out, ticker, onEnd));
    }

    /** The same, with the console connector made by {@code console} (tests drive the bot in-process with it). */
    static Bot build(BotConfig cfg, ConsoleFactory console) {
        Ticker ticker = Ticker.system();
        Catalog catalog = catalog(cfg);
        List<StepExecutor> executors = catalog.executors();
        CommandRegistry commands = catalog.registry();
        RoleResolver roles = catalog.roles();
        Journal journal = SqliteJournal.open(cfg.bot().journal(), ticker);
        JvmGcMetrics gc = new JvmGcMetrics();
        try {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            gc.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            AtomicReference<String> boundUrl = new AtomicReference<>("");
            Web web = new Web(cfg.bot().web(), cfg.bot().webToken().map(t -> t.reveal()), cfg.bot().webUrl(), gc,
                    boundUrl);
            Runner runner = Runner.builder().executors(executors).ticker(ticker).maxConcurrentHostRuns(32)
                    .defaultStepTimeout(Duration.ofMinutes(30)).timerPeriod(Duration.ZERO)
                    .closeGrace(Duration.ofSeconds(30)).build();
            Bot[] self = new Bot[1];
            EngineBuilder eb = Engine.builder().registry(commands).authorizer(new Authorizer(roles,
                    cfg.bot().anonymous())).journal(journal).runner(runner).ticker(ticker).inventory(cfg.inventory())
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
            List<Waiting> first = new ArrayList<>();
            List<Waiting> then = new ArrayList<>();
            ConnectorType.Wiring wiring = new ConnectorType.Wiring(ticker, journal,
                    id -> console.create(id, ticker, () -> self[0].stopped.countDown()));
            for (ConnectorConfig c : cfg.connectors()) {
                ConnectorType.Started started = c.connectorType().start(c, wiring);
                started.await().ifPresent(await -> (started.firstRound() ? first : then)
                        .add(new Waiting(() -> await.accept(CONNECT_WAIT), started.connector())));
                eb.connector(started.connector());
            }
            boolean hasConsole = cfg.connectors().stream().anyMatch(c -> c.connectorType().local());
            Engine engine = eb.build();
            catalog.announcer().bind(engine.api().announcer());
            self[0] = new Bot(journal, engine, executors, first, then, hasConsole, catalog, web);
            return self[0];
        } catch (RuntimeException e) {
            gc.close();
            journal.close();
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
            webServer = WebServer.start(web.token().map(settings::withToken).orElse(settings), engine);
            web.boundUrl().set(webServer.baseUrl());
            LOG.info("web page on {}/", webServer.baseUrl());
        }
        engine.start();
        for (Waiting w : first) {
            awaitConnected(w.await(), w.connector());
        }
        for (Waiting w : then) {
            awaitConnected(w.await(), w.connector());
        }
    }

    /** A connector start-up waits for, and how. */
    private record Waiting(Runnable await, Connector connector) {
    }

    private static void awaitConnected(Runnable await, Connector c) {
        try {
            await.run();
        } catch (BuilddutyException e) {
            if (c.healthy()) {
                LOG.warn("{}; still trying in the background", e.getMessage());
            } else {
                throw e;
            }
        }
    }

    /** Where {@code force} keeps shallow fetches for commit subjects: beside the journal. */
    private static Path gitCache(BotConfig cfg) {
        Path parent = cfg.bot().journal().toAbsolutePath().getParent();
        return parent.resolve("git-cache");
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
                .filter(op -> !op.state().equals(org.buildduty.core.operation.OperationState.PENDING_APPROVAL))
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
