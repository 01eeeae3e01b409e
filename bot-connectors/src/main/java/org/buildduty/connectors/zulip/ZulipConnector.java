package org.buildduty.connectors.zulip;

import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.jamesnetherton.zulip.client.Zulip;
import com.github.jamesnetherton.zulip.client.exception.ZulipClientException;
import com.github.jamesnetherton.zulip.client.http.ZulipConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.connectors.ConnectionStatus;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ChatReaction;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.chat.ConnectorMeters;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;

/**
 * A Zulip organisation as a chat. Messages come from our own event-queue loop ({@link EventPoller}: heartbeats,
 * re-register without loss after {@code BAD_EVENT_QUEUE_ID}, the server's {@code retry-after} honoured) and go out
 * through the Java client ({@code zulip-java-client} 0.5.2: send and edit) over the same OkHttp transport.
 *
 * <p>Addresses: a stream message is (stream, topic); a private message is the sender's email with no thread (a
 * group conversation: the other members' emails, comma-separated). Identities are {@code <id>:<sender email>}; the
 * bot's own messages are ignored. Emoji reactions by others, added or removed, become
 * {@link ChatReaction}s from the same identities ({@code user_id} resolved to the email its messages carry). A
 * message sent to a stream without a topic goes to
 * {@link ZulipConfig#defaultTopic()}. {@link #startThread} opens the topic {@code title} in the room's stream.
 *
 * <p>Edits: Zulip refuses content edits after the realm's limit (600 s by default). An edit of an older message,
 * or one the server refuses with {@code BAD_REQUEST}, posts a new message in the same place instead, and later
 * edits of the original reference go to that new message.
 *
 * <pre>{@code
 * ZulipConnector zulip = new ZulipConnector(cfg, LastMessageStore.journal(journal), Ticker.system());
 * zulip.start(listener);
 * zulip.awaitConnected(Duration.ofSeconds(30));   // throws with one line if the API key is refused
 * MessageRef status = zulip.startThread(ChatAddress.of("zulip", "ops"), "reconfig #17", "starting", null);
 * zulip.edit(status, "reconfig #17 [####------] 4/10");
 * }</pre>
 */
public final class ZulipConnector implements Connector {
    private static final Logger LOG = LoggerFactory.getLogger(ZulipConnector.class);
    /** Zulip's usual {@code max_message_length}. */
    static final int MAX_MESSAGE = 10_000;
    /** Zulip's usual {@code max_topic_length}. */
    static final int MAX_TOPIC = 60;
    private static final int RATE_LIMIT_TRIES = 4;

    private final ZulipConfig cfg;
    private final ConnectionStatus status;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final ZulipHttp http;
    private final Zulip client;
    private final EventPoller poller;
    private final SentMessages sent = new SentMessages();
    private volatile ZulipMessages.Self self;
    private volatile Thread thread;
    private volatile ConnectorMeters meters = ConnectorMeters.NONE;

    public ZulipConnector(ZulipConfig cfg, LastMessageStore store, Ticker ticker) {
        this(cfg, store, ticker, Sleeper.system());
    }

    ZulipConnector(ZulipConfig cfg, LastMessageStore store, Ticker ticker, Sleeper sleeper) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.status = new ConnectionStatus("Zulip", cfg.id());
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.http = new ZulipHttp(cfg, ticker);
        try {
            ZulipConfiguration zc = new ZulipConfiguration(new URL(cfg.site().toString()), cfg.email(),
                    cfg.apiKey());
            zc.setZulipHttpClientFactory(c -> http);
            this.client = new Zulip(zc);
        } catch (MalformedURLException | ZulipClientException e) {
            throw new IllegalArgumentException("bad Zulip site " + cfg.site() + ": " + e.getMessage(), e);
        }
        this.poller = new EventPoller(cfg, http, Objects.requireNonNull(store, "store"), ticker, sleeper,
                new EventPoller.Owner() {
                    @Override
                    public void self(ZulipMessages.Self s) {
                        self = s;
                    }

                    @Override
                    public void message(JsonNode m, boolean catchingUp) {
                        status.emit(ZulipMessages.toChat(cfg.id(), m, self, ticker.now()));
                    }

                    @Override
                    public void reaction(JsonNode e, String email) {
                        ChatReaction r = ZulipMessages.reaction(cfg.id(), e, email, ticker.now());
                        if (r != null) {
                            status.emit(r);
                        }
                    }

                    @Override
                    public void state(ConnectionChanged.State s, String detail) {
                        status.change(s, detail);
                    }

                    @Override
                    public void rateLimited(Duration wait) {
                        meters.rateLimitWait(wait);
                    }
                });
    }

    @Override
    public String id() {
        return cfg.id();
    }

    /** Edits and threads (topics); Zulip's 10 000-character messages; a modest pace under 200 requests a minute. */
    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, MAX_MESSAGE, 5, Duration.ofSeconds(1), false);
    }

    /**
     * Counts each message sent or edited successfully, and each 429 {@code retry-after} wait, of sends, edits and
     * the events loop.
     */
    @Override
    public void useMeters(ConnectorMeters m) {
        meters = Objects.requireNonNull(m, "meters");
    }

    @Override
    public void start(ChatEvent.Listener l) {
        status.start(l);
        thread = new Thread(poller::run, "buildduty-zulip-" + cfg.id());
        thread.setDaemon(true);
        thread.start();
    }

    /** Stream addresses with a topic ({@code stream > topic} announcement targets). */
    @Override
    public boolean takes(ChatAddress to) {
        return to.connectorId().equals(cfg.id()) && !ZulipMessages.isPrivate(to) && !to.room().isBlank()
                && to.thread() != null && !to.thread().isBlank();
    }

    @Override
    public MessageRef send(ChatAddress to, String text) {
        ChatAddress where = placed(to);
        long id = post(where, text);
        sent.sent(id, where, ticker.now(), clip(text));
        return new MessageRef(where, Long.toString(id));
    }

    /**
     * A stream room: the first message of the topic {@code title} (cut to 60 characters) in that stream, even if
     * the request came from another topic. A private conversation has no topics: the message goes there.
     */
    @Override
    public MessageRef startThread(ChatAddress room, String title, String text, String rootMessageId) {
        if (ZulipMessages.isPrivate(room)) {
            return send(ChatAddress.of(room.connectorId(), room.room()), text);
        }
        String topic = title == null || title.isBlank() ? cfg.defaultTopic() : title.strip();
        return send(room.inThread(topic), text);
    }

    @Override
    public void edit(MessageRef ref, String text) {
        long original = Long.parseLong(ref.id());
        SentMessages.Sent cur = sent.current(original);
        Instant now = ticker.now();
        Duration margin = cfg.editLimit().dividedBy(10).compareTo(Duration.ofSeconds(10)) < 0
                ? cfg.editLimit().dividedBy(10) : Duration.ofSeconds(10);
        ChatAddress where = cur == null ? placed(ref.address()) : cur.address();
        if (cur != null && !now.isBefore(cur.sentAt().plus(cfg.editLimit()).minus(margin))) {
            replace(original, where, text, "older than the edit limit of " + cfg.editLimit().toSeconds() + " s");
            return;
        }
        long target = cur == null ? original : cur.id();
        String content = clip(text);
        if (cur != null && content.equals(cur.content())) {
            return;
        }
        try {
            withRateLimit(() -> {
                client.messages().editMessage(target).withContent(content).execute();
                return target;
            });
            if (cur != null) {
                sent.edited(original, content);
            }
        } catch (ZulipError e) {
            if (!e.badRequest()) {
                throw new BuilddutyException("Zulip " + cfg.id() + ": editing message " + target + " failed: "
                        + e.describe(), e);
            }
            replace(original, where, text, "the server refused the edit: " + e.getMessage());
        }
    }

    /** Posts a new message for one that can no longer be edited; later edits of {@code original} go to it. */
    private void replace(long original, ChatAddress where, String text, String why) {
        long id = post(where, text);
        sent.replaced(original, id, where, ticker.now(), clip(text));
        LOG.info("{}: message {} {}; new status message {}", cfg.id(), original, why, id);
    }

    /** A stream address without a topic gets the default topic; topics are cut to Zulip's length. */
    private ChatAddress placed(ChatAddress to) {
        if (ZulipMessages.isPrivate(to)) {
            return ChatAddress.of(to.connectorId(), to.room());
        }
        String topic = to.thread() == null || to.thread().isBlank() ? cfg.defaultTopic() : to.thread();
        return to.inThread(cut(topic, MAX_TOPIC));
    }

    private long post(ChatAddress where, String text) {
        String content = clip(text);
        try {
            return withRateLimit(() -> ZulipMessages.isPrivate(where)
                    ? client.messages().sendDirectMessage(content, where.room().split(",")).execute()
                    : client.messages().sendStreamMessage(content, where.room(), where.thread()).execute());
        } catch (ZulipError e) {
            throw new BuilddutyException("Zulip " + cfg.id() + ": sending to " + where + " failed: "
                    + e.describe(), e);
        }
    }

    /** A call that returns a message id. */
    private interface ApiCall {
        Long call() throws ZulipClientException;
    }

    /** Runs a send or edit, waiting out a 429's {@code retry-after} a few times; counts it once it succeeded. */
    private long withRateLimit(ApiCall call) throws ZulipError {
        for (int attempt = 1; ; attempt++) {
            try {
                Long id = call.call();
                if (id == null) {
                    throw new ZulipError(200, null, "no message id in the answer", null, null);
                }
                meters.messageSent();
                return id;
            } catch (ZulipError e) {
                if (!e.rateLimited() || attempt >= RATE_LIMIT_TRIES) {
                    throw e;
                }
                LOG.info("{}: rate limited; waiting {} ms", cfg.id(), e.retryAfter().toMillis());
                meters.rateLimitWait(e.retryAfter());
                try {
                    sleeper.sleep(e.retryAfter());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            } catch (ZulipClientException e) {
                throw new ZulipError(0, e.getCode(), String.valueOf(e.getMessage()), null, e);
            }
        }
    }

    /** Text cut to Zulip's message length (and as many UTF-8 bytes), whole characters only, with a marker. */
    static String clip(String text) {
        String t = text.isEmpty() ? "(empty)" : text;
        if (t.getBytes(StandardCharsets.UTF_8).length <= MAX_MESSAGE) {
            return t;
        }
        String marker = "\n[… cut]";
        int budget = MAX_MESSAGE - marker.getBytes(StandardCharsets.UTF_8).length;
        int end = 0;
        int bytes = 0;
        while (end < t.length()) {
            int cp = t.codePointAt(end);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return t.substring(0, end) + marker;
    }

    private static String cut(String s, int maxChars) {
        if (s.codePointCount(0, s.length()) <= maxChars) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, maxChars));
    }

    @Override
    public boolean healthy() {
        return status.healthy();
    }

    /**
     * Waits until the event queue is registered. Throws {@link BuilddutyException} with a one-line reason if the
     * API key was refused or the server did not answer within {@code timeout}.
     */
    public void awaitConnected(Duration timeout) {
        status.awaitConnected(timeout);
    }

    /** Stops polling, drops the server's event queue, and reports {@link ConnectionChanged.State#CLOSED}. */
    @Override
    public void close() {
        Thread t;
        if (!status.markClosed()) {
            return;
        }
        t = thread;
        poller.stop();
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            poller.deleteQueue();
        }
        client.close();
        http.close();
        status.change(ConnectionChanged.State.CLOSED, "closed");
    }
}
