package org.buildduty.connectors.zulip;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.time.Backoff;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;

/**
 * Our own {@code /register} + {@code /events} long-poll loop (the Java client's 0.5.2 poller loses events and dies
 * on an empty poll). It follows python-zulip-api's {@code call_on_each_event}, with these differences:
 * <ul>
 *   <li>after {@code BAD_EVENT_QUEUE_ID} it registers a new queue and then fetches the messages it missed with
 *       {@code GET /messages} anchored at the last handled message id, so nothing is lost; a message that is also
 *       in the new queue is skipped by id, so nothing runs twice;</li>
 *   <li>the last handled message id is kept in a {@link LastMessageStore}: a restart catches up the same way, and a
 *       first start (no record) skips all history;</li>
 *   <li>a 429 waits the server's float {@code retry-after}; other failures back off from 1 s to 30 s;</li>
 *   <li>a refused API key ends the loop with {@link ConnectionChanged.State#FAILED}.</li>
 * </ul>
 * Missed messages older than {@link ZulipConfig#catchUp()} are skipped (a command typed long ago is not run late).
 * The queue also takes {@code reaction} events; reactions made while no queue existed (a lost queue, a restart) are
 * not caught up: an approval by reaction then has to be made again, or typed.
 */
final class EventPoller {
    private static final Logger LOG = LoggerFactory.getLogger(EventPoller.class);
    private static final Duration DEFAULT_LONG_POLL = Duration.ofSeconds(90);
    /** Waits after failed calls: 1 s, doubling, up to 30 s. */
    private static final Backoff BACKOFF = Backoff.doubling(Duration.ofSeconds(1), Duration.ofSeconds(30));
    private static final int PAGE = 100;
    private static final int MAX_PAGES = 50;

    /** Where the loop's results go. */
    interface Owner {
        /** Learns who the bot is, before any message. */
        void self(ZulipMessages.Self self);

        /** A message to handle, in id order, at most once (the bot's own messages never come here). */
        void message(JsonNode message, boolean catchingUp);

        /**
         * A {@code reaction} event (added or removed) by someone else, with the Zulip API email of who reacted (the
         * same email a message of theirs carries as {@code sender_email}).
         */
        void reaction(JsonNode event, String email);

        /** The loop connected, lost the server, or gave up. */
        void state(ConnectionChanged.State state, String detail);

        /** The server's 429 made the loop wait {@code wait}. */
        void rateLimited(Duration wait);
    }

    private final ZulipConfig cfg;
    private final ZulipHttp http;
    private final LastMessageStore store;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final Owner owner;
    private volatile boolean stopped;
    private ZulipMessages.Self self;
    private volatile String queueId;
    private long lastEventId = -1;
    private long lastHandled = -1;
    private Duration longPoll = DEFAULT_LONG_POLL;
    private int failures;
    private boolean catchUpPending;
    /** Zulip API emails by user id, from {@code GET /users/{id}} and the messages seen. */
    private final Map<Long, String> emails = new ConcurrentHashMap<>();

    EventPoller(ZulipConfig cfg, ZulipHttp http, LastMessageStore store, Ticker ticker, Sleeper sleeper,
            Owner owner) {
        this.cfg = cfg;
        this.http = http;
        this.store = store;
        this.ticker = ticker;
        this.sleeper = sleeper;
        this.owner = owner;
    }

    /** Runs until {@link #stop()} or a refused API key. */
    void run() {
        OptionalLong saved = store.load(cfg.id());
        lastHandled = saved.orElse(-1);
        boolean fresh = saved.isEmpty();
        while (!stopped) {
            try {
                if (self == null) {
                    self = whoAmI();
                    owner.self(self);
                    subscribe();
                }
                if (queueId == null) {
                    register(fresh);
                    fresh = false;
                    failures = 0;
                    owner.state(ConnectionChanged.State.CONNECTED, "event queue registered at " + cfg.site());
                }
                if (catchUpPending) {
                    catchUp();
                    catchUpPending = false;
                }
                poll();
                if (failures > 0) {
                    failures = 0;
                    owner.state(ConnectionChanged.State.CONNECTED, "polling again");
                }
            } catch (ZulipError e) {
                if (stopped || !handleOrStop(e)) {
                    return;
                }
            }
        }
    }

    private boolean handleOrStop(ZulipError e) {
        try {
            return handle(e);
        } catch (InterruptedException ie) {
            if (!stopped) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    /** Deals with a failed call; false when the loop must end. */
    private boolean handle(ZulipError e) throws InterruptedException {
        if (e.authFailed()) {
            owner.state(ConnectionChanged.State.FAILED, "Zulip refused the bot's credentials (" + e.describe()
                    + "); check email and API key of " + cfg.email());
            return false;
        }
        if (e.badQueue()) {
            LOG.info("{}: event queue {} is gone; registering a new one", cfg.id(), queueId);
            queueId = null;
            return true;
        }
        if (e.rateLimited()) {
            LOG.info("{}: rate limited; waiting {} ms", cfg.id(), e.retryAfter().toMillis());
            owner.rateLimited(e.retryAfter());
            sleeper.sleep(e.retryAfter());
            return true;
        }
        failures++;
        Duration wait = BACKOFF.delay(failures - 1);
        owner.state(ConnectionChanged.State.RECONNECTING, e.describe() + "; retrying in " + wait.toMillis()
                + " ms (attempt " + failures + ")");
        sleeper.sleep(wait);
        return true;
    }

    private ZulipMessages.Self whoAmI() throws ZulipError {
        JsonNode me = http.call("GET", "users/me", Map.of());
        return new ZulipMessages.Self(me.path("user_id").asLong(-1), me.path("email").asText(cfg.email()),
                me.path("full_name").asText(""));
    }

    /** Joins the configured streams; a refusal is only logged (an admin may subscribe the bot instead). */
    private void subscribe() throws ZulipError {
        if (cfg.streams().isEmpty()) {
            return;
        }
        StringBuilder json = new StringBuilder("[");
        for (String s : cfg.streams()) {
            json.append(json.length() > 1 ? "," : "").append("{\"name\":").append(quote(s)).append('}');
        }
        try {
            http.call("POST", "users/me/subscriptions", Map.of("subscriptions", json.append(']').toString()));
        } catch (ZulipError e) {
            if (e.authFailed() || e.rateLimited() || e.status() == 0) {
                throw e;
            }
            LOG.warn("{}: could not subscribe to {}: {}", cfg.id(), cfg.streams(), e.describe());
        }
    }

    private void register(boolean fresh) throws ZulipError {
        // "reaction" too: the API's advice of ["message"] drops reactions, and no narrow filters them
        JsonNode r = http.call("POST", "register", Map.of("event_types", "[\"message\",\"reaction\"]",
                "apply_markdown", "false", "client_gravatar", "true"));
        queueId = r.path("queue_id").asText(null);
        if (queueId == null) {
            throw new ZulipError(200, null, "register gave no queue_id", null, null);
        }
        lastEventId = r.path("last_event_id").asLong(-1);
        long timeout = r.path("event_queue_longpoll_timeout_seconds").asLong(0);
        longPoll = timeout > 0 ? Duration.ofSeconds(timeout) : DEFAULT_LONG_POLL;
        if (fresh) {
            if (r.has("max_message_id")) {
                // -1 when the bot can see no message yet: 0 then, so a queue lost later is still caught up from it
                lastHandled = Math.max(0, r.get("max_message_id").asLong());
                store.save(cfg.id(), lastHandled);
            }
            LOG.info("{}: first start: history skipped (up to message {})", cfg.id(), lastHandled);
        } else {
            catchUpPending = lastHandled >= 0;
        }
    }

    /** Handles the messages after the last handled one that no queue delivered (re-register, restart). */
    private void catchUp() throws ZulipError {
        for (int page = 0; page < MAX_PAGES && !stopped; page++) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("anchor", Long.toString(lastHandled));
            q.put("num_before", "0");
            q.put("num_after", Integer.toString(PAGE));
            q.put("apply_markdown", "false");
            JsonNode r = http.call("GET", "messages", q);
            long before = lastHandled;
            for (JsonNode m : r.path("messages")) {
                offer(m, true);
            }
            if (r.path("found_newest").asBoolean(true) || lastHandled == before) {
                return;
            }
        }
    }

    private void poll() throws ZulipError {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("queue_id", queueId);
        q.put("last_event_id", Long.toString(lastEventId));
        JsonNode r = http.call("GET", "events", q, longPoll.plusSeconds(10));
        for (JsonNode e : r.path("events")) {
            lastEventId = Math.max(lastEventId, e.path("id").asLong(lastEventId));
            if ("message".equals(e.path("type").asText()) && e.has("message")) {
                offer(e.get("message"), false);
            } else if ("reaction".equals(e.path("type").asText())) {
                reaction(e);
            }
        }
    }

    /**
     * Passes a reaction on with who made it, unless it is the bot's own. Who made it is {@code user_id} (the
     * deprecated {@code user} object may be missing), resolved to the Zulip API email with {@code GET /users/{id}}
     * (or a message of theirs seen before), the email their messages carry: an identity that cannot be resolved
     * fails closed, and the reaction is dropped.
     */
    private void reaction(JsonNode e) {
        long user = e.path("user_id").asLong(e.path("user").path("user_id").asLong(-1));
        if (user < 0 || user == self.userId()) {
            return;
        }
        String email = emails.get(user);
        if (email == null) {
            try {
                JsonNode u = http.call("GET", "users/" + user, Map.of()).path("user");
                email = u.path("user_id").asLong(-1) == user ? u.path("email").asText("") : "";
            } catch (ZulipError err) {
                LOG.warn("{}: cannot tell who user {} is ({}); their reaction is ignored", cfg.id(), user,
                        err.describe());
                return;
            }
            if (email.isEmpty()) {
                LOG.warn("{}: the server gave no email for user {}; their reaction is ignored", cfg.id(), user);
                return;
            }
            emails.put(user, email);
        }
        if (email.equalsIgnoreCase(self.email())) {
            return;
        }
        owner.reaction(e, email);
    }

    /** Passes a message on once, in id order; skips the bot's own, other streams', and too old missed ones. */
    private void offer(JsonNode m, boolean catchingUp) {
        long id = m.path("id").asLong(-1);
        if (id <= lastHandled) {
            return;
        }
        lastHandled = id;
        if (m.path("sender_id").canConvertToLong() && m.path("sender_email").isTextual()) {
            emails.put(m.path("sender_id").asLong(), m.path("sender_email").asText());
        }
        if (ZulipMessages.fromSelf(m, self)) {
            return;
        }
        String stream = ZulipMessages.stream(m);
        boolean taken = stream == null || cfg.streams().isEmpty()
                || cfg.streams().stream().anyMatch(s -> s.equalsIgnoreCase(stream));
        Instant sent = Instant.ofEpochSecond(m.path("timestamp").asLong(0));
        if (catchingUp && sent.isBefore(ticker.now().minus(cfg.catchUp()))) {
            LOG.info("{}: missed message {} from {} is older than {}; not handled", cfg.id(), id,
                    m.path("sender_email").asText(), cfg.catchUp());
            taken = false;
        }
        if (taken) {
            owner.message(m, catchingUp);
        }
        store.save(cfg.id(), id);
    }

    /** Ends the loop and drops the server's queue (best effort). */
    void stop() {
        stopped = true;
        http.cancelAll();
    }

    /** Tells the server the queue is no longer needed. */
    void deleteQueue() {
        String q = queueId;
        if (q == null) {
            return;
        }
        try {
            http.call("DELETE", "events", Map.of("queue_id", q), Duration.ofSeconds(3));
        } catch (ZulipError e) {
            LOG.debug("{}: deleting queue {}: {}", cfg.id(), q, e.describe());
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
