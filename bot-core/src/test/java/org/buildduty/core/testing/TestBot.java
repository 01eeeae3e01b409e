package org.buildduty.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.BotService;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandRules;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.pipeline.EngineBuilder;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.runner.Runner;

/**
 * A whole bot on fakes, for tests: {@code bot.send("alice", "!approve 3")} returns what the bot answered.
 *
 * <pre>{@code
 * try (TestBot bot = TestBot.builder().commands(BuiltinCommands::commands).role("releng", "alice").build()) {
 *     assertThat(bot.send("alice", "!whoami")).containsExactly("you are chat:alice; roles: releng");
 * }
 * }</pre>
 */
public final class TestBot implements AutoCloseable {
    /** The connector id of the fake chat. */
    public static final String CHAT = "chat";
    /** The room messages come from. */
    public static final String ROOM = "#releng";

    /** The room {@link #send} talks in, where its requests are approved. */
    public static final ChatAddress ROOM_ADDRESS = ChatAddress.of(CHAT, ROOM);

    private final FakeTicker ticker;
    private final FakeConnector chat;
    private final InMemoryJournal journal;
    private final Runner runner;
    private final Engine engine;
    private int seen;

    private TestBot(Builder b) {
        this.ticker = b.ticker;
        this.chat = new FakeConnector(CHAT, b.caps, ticker);
        this.journal = b.journal;
        CommandRegistry registry = new CommandRegistry();
        b.commands.forEach(c -> c.accept(registry));
        RoleResolver roles = new RoleResolver(b.roles, b.people, Set.of(), Set.of());
        Runner.Builder rb = Runner.builder().ticker(ticker).timerPeriod(Duration.ZERO)
                .closeGrace(Duration.ofSeconds(2));
        b.executors.forEach(rb::executor);
        this.runner = rb.build();
        EngineBuilder eb = Engine.builder().connector(chat).registry(registry)
                .authorizer(new Authorizer(roles, b.anonymous))
                .journal(journal).runner(runner).ticker(ticker).inventory(b.inventory).webUrl(b.webUrl)
                .metrics(b.metrics).redactor(b.redactor);
        if (b.maxLive > 0) {
            eb.maxLiveOperations(b.maxLive).maxPendingApprovals(b.maxPending);
        }
        eb.privateApprovals(b.privateApprovals);
        b.services.forEach(eb::service);
        this.engine = eb.build();
        engine.start(b.restartCause);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Handles one message from {@code principal} in the room, waits until the bot is idle, returns the new lines.
     * The message goes through the engine's turn, as a connector's would, so the answer is queued before an
     * operation it starts reports anything.
     */
    public List<String> send(String principal, String text) {
        engine.onEvent(chat.message(principal, ROOM, text));
        return settle();
    }

    /**
     * Like {@link #send}, for a message the chat gave an id (a Matrix event id, a Zulip message id): sent again with
     * the same id, it is the same message delivered again (a connector resuming from an older position).
     */
    public List<String> sendWithId(String principal, String text, String messageId) {
        engine.onEvent(chat.message(principal, ROOM, text, messageId));
        return settle();
    }

    /** Like {@link #send}, from another room of the fake chat (a channel, or a nick for a private message). */
    public List<String> sendIn(String room, String principal, String text) {
        engine.onEvent(chat.message(principal, room, text));
        return settle();
    }

    /** Waits until the bot is idle and returns the lines sent since the last call. */
    public List<String> settle() {
        try {
            engine.awaitIdle(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return drainNew();
    }

    /** Lines sent since the last call, without waiting. */
    public synchronized List<String> drainNew() {
        List<String> all = chat.texts();
        List<String> out = new ArrayList<>(all.subList(seen, all.size()));
        seen = all.size();
        return out;
    }

    /** Polls until a sent line contains {@code text}; returns every line seen meanwhile. */
    public List<String> awaitLine(String text, Duration max) {
        List<String> got = new ArrayList<>();
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            engine.tick();
            got.addAll(drainNew());
            if (got.stream().anyMatch(l -> l.contains(text))) {
                return got;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no line containing \"" + text + "\" within " + max + "; got " + got);
    }

    public FakeTicker ticker() {
        return ticker;
    }

    public FakeConnector chat() {
        return chat;
    }

    public InMemoryJournal journal() {
        return journal;
    }

    /** The bot as commands see it (approve, cancel, active operations...). */
    public BotApi api() {
        return engine.api();
    }

    public Engine engine() {
        return engine;
    }

    public Runner runner() {
        return runner;
    }

    @Override
    public void close() {
        engine.close();
    }

    /** Builds a {@link TestBot}. */
    public static final class Builder {
        private FakeTicker ticker = new FakeTicker();
        private InMemoryJournal journal = new InMemoryJournal();
        private Capabilities caps = Capabilities.terminal();
        private final Map<String, List<String>> roles = new LinkedHashMap<>();
        private final Map<String, List<String>> people = new LinkedHashMap<>();
        private int maxLive;
        private int maxPending;
        private final List<Consumer<CommandRules>> commands = new ArrayList<>();
        private final List<StepExecutor> executors = new ArrayList<>();
        private Inventory inventory = Inventory.EMPTY;
        private boolean anonymous = true;
        private String webUrl = "";
        private final List<BotService> services = new ArrayList<>();
        private BotMetrics metrics = BotMetrics.none();
        private Redactor redactor = Redactor.NONE;
        private boolean privateApprovals;
        private String restartCause = Engine.RESTARTED;

        /** Gives {@code principals} (on the fake chat) a role. */
        public Builder role(String role, String... principals) {
            List<String> ids = roles.computeIfAbsent(role, k -> new ArrayList<>());
            for (String p : principals) {
                ids.add(CHAT + ":" + p);
            }
            return this;
        }

        /** Names {@code principals} (on the fake chat) as identities of one person. */
        public Builder person(String name, String... principals) {
            List<String> ids = people.computeIfAbsent(name, k -> new ArrayList<>());
            for (String p : principals) {
                ids.add(CHAT + ":" + p);
            }
            return this;
        }

        /** The engine's limits: live operations at once, and pending approvals per requester (default 20 and 5). */
        public Builder limits(int maxLiveOperations, int maxPendingApprovals) {
            this.maxLive = maxLiveOperations;
            this.maxPending = maxPendingApprovals;
            return this;
        }

        public Builder commands(Consumer<CommandRules> registration) {
            commands.add(registration);
            return this;
        }

        public Builder executor(StepExecutor e) {
            executors.add(e);
            return this;
        }

        public Builder ticker(FakeTicker t) {
            this.ticker = t;
            return this;
        }

        public Builder journal(InMemoryJournal j) {
            this.journal = j;
            return this;
        }

        public Builder capabilities(Capabilities c) {
            this.caps = c;
            return this;
        }

        public Builder inventory(Inventory i) {
            this.inventory = i;
            return this;
        }

        public Builder anonymous(boolean allow) {
            this.anonymous = allow;
            return this;
        }

        public Builder webUrl(String url) {
            this.webUrl = url;
            return this;
        }

        /** A service the engine starts before the fake chat, ticks, and closes (call its tick() yourself too). */
        public Builder service(BotService s) {
            services.add(s);
            return this;
        }

        /** The meters the engine counts in (e.g. over a {@code SimpleMeterRegistry}). */
        public Builder metrics(BotMetrics m) {
            this.metrics = m;
            return this;
        }

        /** {@code bot.private_approvals}: approvals count in any room (default false). */
        /** What the engine says cut off the operations it finds running ({@code the bot failed over from bd-a}). */
        public Builder restartCause(String cause) {
            this.restartCause = cause;
            return this;
        }

        public Builder privateApprovals(boolean allowed) {
            this.privateApprovals = allowed;
            return this;
        }

        /** The redaction of configured secrets. */
        public Builder redactor(Redactor r) {
            this.redactor = r;
            return this;
        }

        public TestBot build() {
            return new TestBot(this);
        }
    }
}
