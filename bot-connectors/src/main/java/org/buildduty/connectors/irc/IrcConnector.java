package org.buildduty.connectors.irc;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.connectors.ConnectionStatus;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.chat.ConnectorMeters;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.time.Backoff;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;

/**
 * An IRC network as a chat, on PircBotX 2.1: connects (TLS or plain), logs in with SASL PLAIN, joins its channels
 * (with keys), and turns channel and private messages into {@link ChatMessage}s whose sender is the services
 * account ({@code <id>:<account>}) or, in hostmask mode, {@code <id>:nick!user@host}.
 *
 * <p>Output is split by UTF-8 bytes to fit the relayed 512-byte line ({@link IrcText}), neutralised so it cannot
 * inject commands, cut to its last {@link IrcConfig#maxLinesPerMessage()} lines, and paced by one token bucket per
 * connection ({@link OutputPacer}) under the server's flood limits. A lost connection is retried with exponential
 * backoff and jitter; channels are joined again and queued output is sent after the reconnect, or dropped and
 * counted ({@link #droppedLines()}, reported in the next {@link ConnectionChanged} detail) past the queue limit.
 * Refused SASL credentials, SASL configured but not completed (the server offers no SASL, say with its services
 * down, or registers the bot without it), or a TLS certificate that is not trusted or does not match the host (or a
 * server that does not speak TLS), on the first connection are final: {@link ConnectionChanged.State#FAILED} with
 * a one-line reason, and {@link #awaitConnected} throws it; after the bot has been connected once, they are retried
 * like any lost connection.
 *
 * <pre>{@code
 * IrcConnector irc = new IrcConnector(cfg, Ticker.system());
 * irc.start(listener);
 * irc.awaitConnected(Duration.ofSeconds(30));   // throws with the reason, e.g. a refused SASL password
 * irc.send(ChatAddress.of("libera", "#releng"), "reconfig #17 done");
 * }</pre>
 */
public final class IrcConnector implements Connector {
    private static final Logger LOG = LoggerFactory.getLogger(IrcConnector.class);
    private static final Duration IDLE = Duration.ofMillis(250);
    private static final Duration FLUSH = Duration.ofSeconds(3);
    static final String CUT_MARKER = "[… %d earlier lines not shown]";

    private final IrcConfig cfg;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final Backoff backoff;
    private final OutputPacer pacer;
    private final Capabilities capabilities;
    private final AtomicLong refs = new AtomicLong();
    private final ConnectionStatus status;
    private volatile IrcSession session;
    private volatile boolean pacing = true;
    private volatile boolean everReady;
    private long droppedReported;
    private volatile Thread connection;
    private volatile Thread pacerThread;
    private Runnable beforeWrite = () -> { };

    public IrcConnector(IrcConfig cfg, Ticker ticker) {
        this(cfg, ticker, () -> { });
    }

    /**
     * The same; {@code beforeWrite} runs before queued chat lines go out (the pacer sends them later than
     * {@link #send} queued them): a leader whose lease ran out meanwhile stops there instead of speaking.
     */
    public IrcConnector(IrcConfig cfg, Ticker ticker, Runnable beforeWrite) {
        this(cfg, ticker, Sleeper.system(), () -> ThreadLocalRandom.current().nextDouble());
        this.beforeWrite = Objects.requireNonNull(beforeWrite, "beforeWrite");
    }

    IrcConnector(IrcConfig cfg, Ticker ticker, Sleeper sleeper, DoubleSupplier random) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.status = new ConnectionStatus("IRC", cfg.id());
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.backoff = new Backoff(cfg.reconnectBase(), cfg.reconnectMax(), random);
        this.pacer = new OutputPacer(ticker, cfg.burst(), cfg.interval(), cfg.queueLimit());
        int bytes = IrcText.payloadBudget(cfg.nick() + "000", "#" + "x".repeat(49));
        this.capabilities = new Capabilities(false, false, bytes, cfg.burst(), cfg.interval().multipliedBy(2), false);
    }

    @Override
    public String id() {
        return cfg.id();
    }

    /**
     * No edits, no threads; messages up to a line's worth of bytes for the longest channel name (longer ones are
     * split); the room publisher's pace is half the connection pacer's, leaving room for split lines and commands.
     */
    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /**
     * Counts each message line written to the server (a long message is several) and each line the pacer's token
     * bucket held back, with how long it waited on the injected ticker.
     */
    @Override
    public void useMeters(ConnectorMeters meters) {
        pacer.useMeters(Objects.requireNonNull(meters, "meters"));
    }

    @Override
    public void start(ChatEvent.Listener l) {
        status.start(l);
        connection = new Thread(this::connectLoop, "buildduty-irc-" + cfg.id());
        pacerThread = new Thread(this::paceLoop, "buildduty-irc-" + cfg.id() + "-out");
        connection.setDaemon(true);
        pacerThread.setDaemon(true);
        connection.start();
        pacerThread.start();
    }

    /** Channels ({@code #releng}, {@code &local}) without a thread. */
    @Override
    public boolean takes(ChatAddress to) {
        return to.thread() == null && isChannel(to.room());
    }

    /** True for a channel name that is a safe target: {@code #} or {@code &}, then no space, comma or control. */
    static boolean isChannel(String room) {
        if (room.length() < 2 || (room.charAt(0) != '#' && room.charAt(0) != '&')) {
            return false;
        }
        try {
            checkTarget(room);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public MessageRef send(ChatAddress to, String text) {
        String target = to.room();
        checkTarget(target);
        IrcSession s = session;
        String budgetNick = cfg.nick() + "000";
        if (s != null && s.nick().length() > budgetNick.length()) {
            budgetNick = s.nick();
        }
        int budget = s == null ? IrcText.payloadBudget(budgetNick, target)
                : IrcText.payloadBudget(budgetNick, s.selfUser(), s.selfHost(), target);
        List<String> lines = IrcText.tail(IrcText.lines(text, budget), cfg.maxLinesPerMessage(), CUT_MARKER);
        // What the bucket allows goes out now, on this thread; only what is left wakes the pacer thread
        int dropped = pacer.send(target, lines, s, IDLE);
        if (dropped > 0) {
            LOG.warn("{}: output queue full, {} oldest lines dropped", cfg.id(), dropped);
        }
        return new MessageRef(to, Long.toString(refs.incrementAndGet()));
    }

    /** Refuses a target that could smuggle a second target or command into the line. */
    static void checkTarget(String target) {
        if (target.isEmpty() || target.startsWith(":")) {
            throw new IllegalArgumentException("bad IRC target: '" + target + "'");
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= ' ' || c == ',' || c == 0x7f) {
                throw new IllegalArgumentException("bad IRC target: '" + IrcText.neutralize(target) + "'");
            }
        }
    }

    @Override
    public boolean healthy() {
        return status.healthy();
    }

    /**
     * Waits until the bot is registered and has joined its channels. Throws {@link BuilddutyException} with a
     * one-line reason if the connection failed for good (SASL refused or not completed, TLS certificate not trusted)
     * or did not come up within {@code timeout}.
     */
    public void awaitConnected(Duration timeout) {
        status.awaitConnected(timeout);
    }

    /** Message lines dropped so far (queue overflow while disconnected, or unsent at close). */
    public long droppedLines() {
        return pacer.dropped();
    }

    /** Message lines sent so far. */
    public long sentLines() {
        return pacer.sent();
    }

    /** The bot's current nick (an alternate while the configured one is taken), or the configured nick. */
    public String currentNick() {
        IrcSession s = session;
        return s == null ? cfg.nick() : s.nick();
    }

    /** True while registered with the server and done joining. */
    public boolean connected() {
        IrcSession s = session;
        return s != null && s.ready();
    }

    private void connectLoop() {
        IrcSession.Owner owner = new IrcSession.Owner() {
            @Override
            public void message(ChatMessage m) {
                status.emit(m);
            }

            @Override
            public void ready(IrcSession s, String detail) {
                everReady = true;
                backoff.reset();
                long dropped = pacer.dropped() - droppedReported;
                String extra = dropped > 0 ? "; " + dropped + " queued lines were dropped while disconnected" : "";
                droppedReported += dropped;
                status.change(ConnectionChanged.State.CONNECTED, detail + extra, dropped);
            }
        };
        while (!status.closed()) {
            IrcSession s = new IrcSession(cfg, ticker, pacer, owner);
            session = s;
            s.run();
            if (status.closed()) {
                break;
            }
            if (s.failure() != null && s.permanentFailure() && !everReady) {
                status.change(ConnectionChanged.State.FAILED, s.failure());
                LOG.info("{}: giving up: {}", cfg.id(), s.failure());
                return;
            }
            String why = s.failure() != null ? s.failure() : s.lastError() != null ? s.lastError()
                    : "connection closed";
            Duration wait = backoff.next();
            status.change(ConnectionChanged.State.RECONNECTING, why + "; reconnecting in "
                    + wait.toMillis() + " ms (attempt " + backoff.attempts() + ")");
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                if (status.closed()) {
                    break;
                }
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void paceLoop() {
        while (pacing) {
            IrcSession s = session;
            Duration wait = IDLE;
            try {
                if (s != null) {
                    s.tick();
                    if (pacer.queued() > 0) {
                        beforeWrite.run();
                    }
                    wait = pacer.pump(s, IDLE);
                }
                pacer.await(wait.compareTo(IDLE) > 0 ? IDLE : wait);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("{}: pacer: {}", cfg.id(), e.toString());
            }
        }
    }

    /** Sends what is queued (for up to 3 s while connected), quits, and counts what could not be sent. */
    @Override
    public void close() {
        if (!status.markClosed()) {
            return;
        }
        long end = System.nanoTime() + FLUSH.toNanos();
        while (pacer.queued() > 0 && connected() && System.nanoTime() < end) {
            pacer.wake();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        pacing = false;
        int dropped = pacer.dropAll();
        IrcSession s = session;
        boolean wasConnected = connected();
        if (s != null) {
            s.quit("buildduty stopping");
        }
        join(pacerThread);
        if (connection != null && wasConnected) {
            // the socket is closed: let PircBotX's read loop end on its own (interrupting it logs an error)
            try {
                connection.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        join(connection);
        long unreported = pacer.dropped() - droppedReported;
        droppedReported += unreported;
        status.change(ConnectionChanged.State.CLOSED, dropped == 0 ? "closed"
                : "closed; " + dropped + " queued lines were not sent", unreported);
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        t.interrupt();
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
