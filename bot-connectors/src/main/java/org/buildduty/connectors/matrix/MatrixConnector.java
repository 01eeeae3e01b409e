package org.buildduty.connectors.matrix;

import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.connectors.ConnectionStatus;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.chat.ConnectorMeters;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.time.Backoff;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;

/**
 * A Matrix account as a chat, over the Client-Server API v3: logs in with a password if it has no access token,
 * joins its configured rooms, accepts invites only from allowed users, and long-polls {@code /sync} (resuming from
 * the position in its {@link SyncTokenStore}, so nothing is handled twice across restarts; a fresh start skips the
 * history, and so does a room's first timeline after the bot joined it: messages before the bot's join or older than
 * {@link MatrixConfig#catchUp()} are never handled). Text messages from others become
 * {@link org.buildduty.core.chat.ChatMessage}s from {@code <id>:@user:server}, in the thread they were written in,
 * with their event id. Reactions by others ({@code m.reaction}) and redactions (a reaction removed) become
 * {@link org.buildduty.core.chat.ChatReaction}s from the same identities; the bot's own are skipped.
 *
 * <p>Output is {@code m.notice} with a minimal escaped HTML rendering; a thread address sends into that thread, and
 * {@link #edit} replaces a message with {@code m.replace}. Each message gets a transaction id once and keeps it on
 * every retry (a 429 waits {@code retry_after_ms}), so a retried send never posts twice. A lost connection is retried
 * with exponential backoff and jitter; a rejected access token is final: {@link ConnectionChanged.State#FAILED} with
 * one line, and {@link #awaitConnected} throws it.
 *
 * <pre>{@code
 * MatrixConnector m = new MatrixConnector(cfg, SyncTokenStore.journal(journal, cfg.id()), Ticker.system());
 * m.start(listener);
 * m.awaitConnected(Duration.ofSeconds(30));   // throws with the reason, e.g. M_UNKNOWN_TOKEN
 * MessageRef status = m.startThread(room, "reconfig #17", "reconfig #17 started", requestEventId);
 * m.edit(status, "reconfig #17 [####--] 2/3");
 * }</pre>
 */
public final class MatrixConnector implements Connector {
    private static final Logger LOG = LoggerFactory.getLogger(MatrixConnector.class);
    /** Largest body sent, in UTF-8 bytes; longer texts are cut. Matrix events are limited to 64 KiB in all. */
    static final int MAX_BYTES = 16 * 1024;
    /**
     * The bot's sync filter: messages, reactions, redactions (a reaction removed) and memberships in room timelines
     * (the bot's own join marks where history ends), member counts, no presence or account data. A timeline
     * {@code types} list lets only the types it names through, so reactions must be named.
     */
    static final String FILTER = "{\"room\":{\"timeline\":{\"limit\":50,\"types\":[\"m.room.message\","
            + "\"m.reaction\",\"m.room.redaction\",\"m.room.member\"]},"
            + "\"state\":{\"lazy_load_members\":true,\"types\":[\"m.room.member\"]},"
            + "\"ephemeral\":{\"not_types\":[\"*\"]},\"account_data\":{\"not_types\":[\"*\"]}},"
            + "\"presence\":{\"not_types\":[\"*\"]},\"account_data\":{\"not_types\":[\"*\"]}}";

    private final MatrixConfig cfg;
    private final ConnectionStatus status;
    private final SyncTokenStore store;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final Backoff reconnects;
    private final MatrixClient client;
    private final MatrixRooms rooms;
    private final CountDownLatch closing = new CountDownLatch(1);
    private boolean loginTried;
    private volatile Thread syncThread;
    private volatile ConnectorMeters meters = ConnectorMeters.NONE;

    public MatrixConnector(MatrixConfig cfg, SyncTokenStore store, Ticker ticker) {
        this(cfg, store, ticker, Sleeper.system(), () -> ThreadLocalRandom.current().nextDouble());
    }

    MatrixConnector(MatrixConfig cfg, SyncTokenStore store, Ticker ticker, Sleeper sleeper, DoubleSupplier random) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.status = new ConnectionStatus("Matrix", cfg.id());
        this.store = Objects.requireNonNull(store, "store");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.reconnects = new Backoff(cfg.reconnectBase(), cfg.reconnectMax(), random);
        this.client = new MatrixClient(cfg, ticker, sleeper);
        this.rooms = new MatrixRooms(cfg.rooms());
    }

    @Override
    public String id() {
        return cfg.id();
    }

    /** Edits and threads; 16 KiB messages; a modest pace of 10 at once, then one a second. */
    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, MAX_BYTES, 10, Duration.ofSeconds(1), false);
    }

    /**
     * Counts each send and edit the homeserver accepted (2xx), and each 429 {@code M_LIMIT_EXCEEDED} wait, of the
     * server's {@code retry_after_ms}, whatever request it answered.
     */
    @Override
    public void useMeters(ConnectorMeters m) {
        meters = Objects.requireNonNull(m, "meters");
        client.useMeters(m);
    }

    @Override
    public void start(ChatEvent.Listener l) {
        status.start(l);
        syncThread = new Thread(this::syncLoop, "buildduty-matrix-" + cfg.id());
        syncThread.setDaemon(true);
        syncThread.start();
    }

    /** Room ids ({@code !x:server}) and aliases the bot joined ({@code #x:server}), with or without a thread. */
    @Override
    public boolean takes(ChatAddress to) {
        if (!to.connectorId().equals(cfg.id())) {
            return false;
        }
        String r = to.room();
        return r.startsWith("!") ? r.indexOf(':') > 1 : r.startsWith("#") && rooms.resolve(r) != null;
    }

    /** Sends a notice; into the thread rooted at {@code to.thread()} when the address has one. */
    @Override
    public MessageRef send(ChatAddress to, String text) {
        String body = MatrixText.fit(text, MAX_BYTES);
        ObjectNode c = to.thread() == null ? MatrixText.notice(body) : MatrixText.inThread(body, to.thread());
        return new MessageRef(to, put(roomOf(to), c));
    }

    /** Replaces the message with an {@code m.replace} edit of the original event (it stays in its thread). */
    @Override
    public void edit(MessageRef ref, String text) {
        put(roomOf(ref.address()), MatrixText.edit(MatrixText.fit(text, MAX_BYTES), ref.id()));
    }

    /**
     * Sends the first message of a thread: in the address's thread if it has one, else rooted at the request
     * ({@code rootMessageId}), else at the message itself; the returned address is the thread.
     */
    @Override
    public MessageRef startThread(ChatAddress room, String title, String text, String rootMessageId) {
        if (room.thread() != null) {
            return send(room, text);
        }
        if (rootMessageId != null && !rootMessageId.isEmpty()) {
            return send(room.inThread(rootMessageId), text);
        }
        MessageRef first = send(room, text);
        return new MessageRef(room.inThread(first.id()), first.id());
    }

    @Override
    public boolean healthy() {
        return status.healthy();
    }

    /**
     * Waits for the first sync. Throws {@link BuilddutyException} with a one-line reason if the connector failed for
     * good (token rejected, login refused) or was not connected within {@code timeout}.
     */
    public void awaitConnected(Duration timeout) {
        status.awaitConnected(timeout);
    }

    private String roomOf(ChatAddress to) {
        String id = rooms.resolve(to.room());
        if (id == null || !id.startsWith("!")) {
            throw new IllegalArgumentException("not a Matrix room id or joined alias: " + to.room());
        }
        return id;
    }

    private String put(String roomId, ObjectNode content) {
        String txnId = "bd" + UUID.randomUUID().toString().replace("-", "");
        String eventId = client.send(roomId, "m.room.message", txnId, content);
        meters.messageSent();
        return eventId;
    }

    private void syncLoop() {
        String since = store.load().orElse(null);
        boolean setUp = false;
        while (!status.closed()) {
            try {
                if (!setUp) {
                    setUp();
                    setUp = true;
                }
                boolean fresh = since == null;
                boolean connected = status.state() == ConnectionChanged.State.CONNECTED;
                // until connected, poll without waiting: being connected is known at once, not after a long poll
                JsonNode answer = client.sync(since, connected ? cfg.syncTimeout() : Duration.ZERO, FILTER);
                SyncBatch batch = SyncBatch.read(answer, fresh, rooms, cfg.id(), cfg.userId(), ticker.now(),
                        cfg.catchUp());
                if (batch.history > 0) {
                    LOG.info("{}: {} message(s) from before the bot joined their room or older than {} not handled",
                            cfg.id(), batch.history, cfg.catchUp());
                }
                if (!connected) {
                    reconnects.reset();
                    status.change(ConnectionChanged.State.CONNECTED, fresh ? "synced (history skipped)"
                            : "synced; resuming");
                }
                batch.events.forEach(status::emit);
                batch.invites.forEach(this::invited);
                if (!batch.nextBatch.isEmpty() && !batch.nextBatch.equals(since) && !status.closed()) {
                    store.save(batch.nextBatch);
                    since = batch.nextBatch;
                }
                loginTried = false;
            } catch (MatrixException e) {
                if (status.closed()) {
                    break;
                }
                if (e.unauthorized()) {
                    if (cfg.password().isPresent() && !loginTried) {
                        LOG.warn("{}: {}; logging in again", cfg.id(), e.getMessage());
                        client.forgetToken();
                        setUp = false;
                        continue;
                    }
                    String what = cfg.password().isPresent() && !cfg.accessToken().isPresent()
                            ? "the homeserver refused the login: " : "the homeserver rejected the access token: ";
                    status.change(ConnectionChanged.State.FAILED, what + e.getMessage());
                    return;
                }
                if (!reconnectAfter(e.getMessage())) {
                    break;
                }
            } catch (RuntimeException e) {
                LOG.error("{}: sync failed", cfg.id(), e);
                if (status.closed() || !reconnectAfter(MatrixClient.oneLine(e))) {
                    break;
                }
            }
        }
    }

    /** Logs in if needed (once until a sync works) and joins the configured rooms. */
    private void setUp() {
        if (!client.hasToken()) {
            loginTried = true;
            try {
                client.login(cfg.userId(), cfg.password().orElseThrow(), cfg.deviceId());
            } catch (MatrixException e) {
                if (e.status() == 400 || e.status() == 403) {
                    throw new MatrixException(401, e.errcode(), e.getMessage());
                }
                throw e;
            }
        }
        Set<String> joined = new HashSet<>(client.joinedRooms());
        for (String r : cfg.rooms()) {
            if (joined.contains(r)) {
                rooms.joined(r, r);
                continue;
            }
            try {
                rooms.joined(r, client.join(r));
            } catch (MatrixException e) {
                if (e.unauthorized() || e.status() == 0 || e.status() >= 500) {
                    throw e;
                }
                LOG.warn("{}: cannot join {}: {}", cfg.id(), r, e.getMessage());
            }
        }
    }

    /**
     * Joins the room of an invite from a user in {@code allow_invites_from}; ignores the others, even to a configured
     * room (joined at start anyway): who may bring the bot into a room, or back after a kick, is the config's choice.
     */
    private void invited(SyncBatch.Invite i) {
        if (!cfg.allowInvitesFrom().contains(i.inviter())) {
            LOG.info("{}: not joining {}: invited by {}, who is not in allow_invites_from", cfg.id(), i.roomId(),
                    i.inviter());
            return;
        }
        try {
            client.joinInvited(i.roomId());
            if (i.direct()) {
                rooms.markDirect(i.roomId());
            }
            LOG.info("{}: joined {} (invited by {})", cfg.id(), i.roomId(), i.inviter());
        } catch (MatrixException e) {
            if (e.unauthorized()) {
                throw e;
            }
            LOG.warn("{}: could not join {} after an invite: {}", cfg.id(), i.roomId(), e.getMessage());
        }
    }

    /** Waits out the backoff after a failure; false when closed meanwhile. */
    private boolean reconnectAfter(String why) {
        Duration wait = reconnects.next();
        status.change(ConnectionChanged.State.RECONNECTING, why + "; retrying in " + wait.toMillis() + " ms (attempt "
                + reconnects.attempts() + ")");
        try {
            return sleeper.sleep(wait, closing) && !status.closed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the sync loop and any request or retry wait in flight. */
    @Override
    public void close() {
        if (!status.markClosed()) {
            return;
        }
        closing.countDown();
        client.close();
        Thread t = syncThread;
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        status.change(ConnectionChanged.State.CLOSED, "closed");
    }
}
