package org.buildduty.core.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.UserFacingException;
import org.buildduty.core.approval.ApprovalGate;
import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ChatReaction;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.BotService;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.journal.ConnectorEventRecord;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.time.Ticker;

/**
 * The bot: takes chat events from connectors, runs them through the command pipeline (address, tokenize, look up,
 * authorize, parse, handle), creates operations from plans, gates them on approval, runs them, and reports their
 * progress to the room they came from.
 *
 * <p>Messages are handled one at a time, in the order they arrive, so commands from one room are answered in order and
 * each sees what the ones before it did ({@link DispatchLane}). A message that arrives while none is being handled is
 * handled at once on the connector's thread that read it; one that arrives while another is handled waits for the
 * engine's dispatch thread, so a connector's thread never waits for another message. It does wait for its own: a
 * handler that takes a moment (an approval's {@code git ls-remote}) holds up that connection's reading as long, far
 * inside a server's ping timeout. Long work runs on the {@link Runner}'s threads. A message with the chat's id that
 * was handled as a command before (delivered again by a connector resuming from an older position after a restart or
 * a takeover) is dropped: the journal records each such id before its command runs ({@link HandledMessages}).
 *
 * <p>The engine is the composition root: it builds its parts and wires them through narrow ports. Commands and
 * services get {@link #api()}, a {@link BotApi} built from those parts; only the connectors hold the engine, as the
 * listener of their chat events.
 */
public final class Engine implements ChatEvent.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Map<String, Connector> connectors;
    private final CommandRegistry registry;
    private final Authorizer authorizer;
    private final Journal journal;
    private final Runner runner;
    private final Ticker ticker;
    private final Inventory inventory;
    private final String prefix;
    private final String nick;
    private final Supplier<String> webUrl;
    private final Redactor redactor;
    private final ApprovalGate gate;
    private final Operations operations;
    private final ReactionApprovals reactions;
    private final Dispatcher dispatcher;
    private final HandledMessages handled;
    private final BotApi api;
    private final Rooms rooms;
    private final List<BotService> services;
    private final BotMetrics metrics;
    private final Health health;
    private final DispatchLane dispatch = new DispatchLane(r -> daemon(r, "dispatch"));
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "timers"));
    private final AtomicLong errorRefs = new AtomicLong();

    Engine(EngineBuilder b) {
        this.connectors = Map.copyOf(b.connectors);
        this.registry = Objects.requireNonNull(b.registry, "registry");
        this.authorizer = Objects.requireNonNull(b.authorizer, "authorizer");
        this.journal = Objects.requireNonNull(b.journal, "journal");
        this.services = List.copyOf(b.services);
        this.runner = Objects.requireNonNull(b.runner, "runner");
        runner.checkTimersFromCaller();
        this.ticker = Objects.requireNonNull(b.ticker, "ticker");
        this.inventory = b.inventory;
        this.prefix = b.prefix;
        this.nick = b.nick;
        this.webUrl = b.webUrl;
        this.redactor = b.redactor;
        this.rooms = new Rooms(connectors, ticker, redactor);
        this.metrics = b.metrics;
        this.health = new Health(connectors, journal, ticker, b.reconnectBudget, metrics);
        this.gate = new ApprovalGate(journal, ticker, authorizer.roles(), metrics);
        Supplier<String> web = webUrl;
        Function<OperationId, String> link = id -> link(web, id);
        Operations.Settings shown = new Operations.Settings(prefix, registry, redactor, metrics, link);
        this.operations = new Operations(rooms, task -> afterReply(dispatch, task), shown, journal, journal, runner,
                gate, ticker, authorizer.roles(), b.maxLiveOperations, b.maxPendingApprovals, b.privateApprovals);
        this.api = new CommandApi(new CommandApi.Parts(registry, inventory, ticker, authorizer, operations, gate,
                journal, journal, rooms, link, prefix, b.cancelRole));
        this.handled = new HandledMessages(journal, ticker);
        this.dispatcher = new Dispatcher(api, registry, authorizer, operations::create, metrics, handled);
        this.reactions = new ReactionApprovals(journal, api, operations::gateOf, rooms);
        rooms.asked(reactions);
        connectors.values().forEach(c -> c.useMeters(metrics.connector(c.id())));
        metrics.bindLiveOperations(() -> BotMetrics.countByState(
                operations.active().stream().map(Operation::state).toList()));
    }

    public static EngineBuilder builder() {
        return new EngineBuilder();
    }

    /**
     * Recovers state from the journal (interrupted operations reported, pending approvals restored with their
     * expiry, the ids of the messages already handled as commands), starts the timers, then the services (which
     * resume from the journal), then the connectors: the first message a connector delivers already finds every
     * service resumed.
     */
    public void start() {
        start(RESTARTED);
    }

    /** What {@link #start()} says cut off the operations it finds running: {@value}. */
    public static final String RESTARTED = "the bot restarted";

    /**
     * The same, saying what cut off the operations found running, e.g. {@code the bot failed over from bd-a}: their
     * one line reads {@code reconfig #12 interrupted: the bot failed over from bd-a while it was running; ...}.
     */
    public void start(String cause) {
        operations.recover(Objects.requireNonNull(cause, "cause"));
        reactions.restore();
        reactions.prune(this::waitsForApproval);
        handled.restore();
        timers.scheduleWithFixedDelay(this::tick, 100, 100, TimeUnit.MILLISECONDS);
        for (BotService s : services) {
            s.start(api);
        }
        for (Connector c : connectors.values()) {
            c.start(this);
        }
    }

    /**
     * Runs the periodic work once: approval expiries, the runner's timeouts and stuck notices, the services' ticks and
     * paced output, the pruning of old records of handled messages. The engine's one timer calls it every 100 ms (the
     * runner has none of its own under an engine); tests may call it directly.
     */
    public void tick() {
        try {
            operations.expireDue();
            reactions.prune(this::waitsForApproval);
            handled.prune();
            runner.checkTimers();
            for (BotService s : services) {
                tickService(s);
            }
            rooms.drainAll();
        } catch (RuntimeException e) {
            LOG.error("timer tick failed", e);
        }
    }

    private static void tickService(BotService s) {
        try {
            s.tick();
        } catch (RuntimeException e) {
            LOG.error("service {} failed on a tick", s.name(), e);
        }
    }

    @Override
    public void onEvent(ChatEvent event) {
        if (event instanceof ChatMessage m) {
            try {
                dispatch.execute(new Handling(m));
            } catch (RejectedExecutionException e) {
                LOG.warn("bot is stopping; message from {} ignored", m.sender());
            }
        } else if (event instanceof ChatReaction r) {
            try {
                dispatch.execute(() -> reactions.handle(r));
            } catch (RejectedExecutionException e) {
                LOG.warn("bot is stopping; reaction by {} ignored", r.sender());
            }
        } else if (event instanceof ConnectionChanged changed) {
            connectionChanged(changed);
        }
    }

    /**
     * True while an operation waits for approval, so reactions on the messages asking for it still count; what
     * {@link ReactionApprovals} registered for an operation that no longer waits is dropped.
     */
    private boolean waitsForApproval(OperationId id) {
        return operations.gateOf(id).isPresent();
    }

    /** Logs and journals a connection change; the journal keeps the count of chat lines the connector dropped. */
    private void connectionChanged(ConnectionChanged c) {
        health.observe(c);
        String detail = redactor.redact(c.detail());
        if (c.droppedLines() > 0) {
            LOG.warn("connector {}: {} {} ({} chat lines dropped)", c.connectorId(), c.state(), detail,
                    c.droppedLines());
        } else {
            LOG.info("connector {}: {} {}", c.connectorId(), c.state(), detail);
        }
        try {
            journal.connectorEvent(new ConnectorEventRecord(c.connectorId(), c.state(), detail, c.droppedLines(),
                    ticker.now()));
        } catch (JournalException e) {
            LOG.error("cannot journal the {} event of connector {}", c.state(), c.connectorId(), e);
        }
    }

    /**
     * A message's handling, as the lane runs it: a class rather than a capturing lambda, whose every creation C1's
     * code links through a method handle on the connector's thread, before the message is answered.
     */
    private final class Handling implements Runnable {
        private final ChatMessage message;

        Handling(ChatMessage message) {
            this.message = message;
        }

        @Override
        public void run() {
            handle(message);
        }
    }

    /** Handles one message synchronously (the engine calls this in its turn; tests may too). */
    public void handle(ChatMessage m) {
        List<String> lines;
        try {
            Optional<List<String>> answer = dispatcher.dispatch(m, prefix, nick);
            if (answer.isEmpty()) {
                return;
            }
            lines = answer.get();
        } catch (UserFacingException e) {
            lines = List.of(e.getMessage());
        } catch (JournalException e) {
            LOG.error("journal failure while handling a command from {}", m.sender(), e);
            lines = List.of("refused: the journal cannot record it (" + e.getMessage() + "); nothing was run");
        } catch (RuntimeException e) {
            String ref = "E" + errorRefs.incrementAndGet();
            LOG.error("internal error {} handling a command from {}", ref, m.sender(), e);
            lines = List.of("internal error (ref " + ref + " in the bot's log); nothing more was done");
        }
        reply(m.room(), lines);
    }

    /** Runs a task in the engine's turn after the current message's answer was queued (at once when stopping). */
    private static void afterReply(DispatchLane dispatch, Runnable task) {
        try {
            dispatch.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Sends direct answers to a room, through its publisher. */
    private void reply(ChatAddress room, List<String> lines) {
        rooms.reply(room, lines);
    }

    /**
     * Runs {@code change} between two messages, and returns what it returns: no command is being handled while it
     * runs, so every command sees the bot wholly before or wholly after the change (a live reload swaps the commands,
     * roles and inventory so). Called from a command's handler, it runs at once. A {@link RuntimeException} of {@code
     * change} is thrown here.
     *
     * @throws IllegalStateException when the engine is stopping
     * @throws InterruptedException  when the caller is interrupted while waiting
     */
    public <T> T betweenMessages(Supplier<T> change) throws InterruptedException {
        if (dispatch.onLane()) {
            return change.get();
        }
        FutureTask<T> f = new FutureTask<>(change::get);
        try {
            dispatch.execute(f);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the bot is stopping", e);
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Waits until every queued message was handled and every queued line was sent, or the timeout passes. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!dispatch.awaitIdle(end - System.nanoTime())) {
                return false;
            }
            if (rooms.allSent()) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /**
     * Stops: no new messages; running operations are cancelled (their rollbacks run) and reported; pending approvals
     * stay in the journal with their expiry; pending output is flushed; connectors close.
     */
    @Override
    public void close() {
        try {
            dispatch.stop(TimeUnit.SECONDS.toNanos(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        operations.shutdown();
        timers.shutdownNow();
        for (BotService s : services) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.warn("closing service {} failed", s.name(), e);
            }
        }
        rooms.drainAll();
        for (Connector c : connectors.values()) {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.warn("closing connector {} failed", c.id(), e);
            }
        }
    }

    /**
     * The bot as commands and services see it: a view built from the engine's parts (history, state records,
     * operations, approvals, rooms, roles, clock, inventory), not the engine.
     */
    public BotApi api() {
        return api;
    }

    /** The web page's address of an operation; empty without a web page. */
    private static String link(Supplier<String> webUrl, OperationId id) {
        String base = webUrl.get();
        base = base == null ? "" : base.replaceAll("/+$", "");
        return base.isEmpty() ? "" : base + "/ops/" + id.value();
    }

    /** The bot's meters. */
    public BotMetrics metrics() {
        return metrics;
    }

    /** The journal and every connector, checked now (for {@code /healthz}). */
    public Health.Report health() {
        return health.check();
    }

    /** The configured redaction of secrets, for anything that shows journal text elsewhere (the web page). */
    public Redactor secrets() {
        return redactor;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, "buildduty-" + name);
        t.setDaemon(true);
        return t;
    }
}
