package org.buildduty.connectors.testing;

import static org.buildduty.connectors.testing.FakeZulipWire.errorBody;
import static org.buildduty.connectors.testing.FakeZulipWire.params;
import static org.buildduty.connectors.testing.FakeZulipWire.readJson;
import static org.buildduty.connectors.testing.FakeZulipWire.success;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import org.buildduty.core.time.Ticker;
import org.buildduty.exec.testing.LoopbackHttp;

/**
 * A Zulip server on 127.0.0.1 for tests, faithful to the contract notes (README §3) and the fixtures' error shapes:
 * Basic auth on every call ({@code 401 INVALID_API_KEY}), {@code /users/me}, {@code /users/me/subscriptions},
 * {@code /register}, a blocking {@code /events} long poll that answers with queued events or a heartbeat after
 * {@link #heartbeatAfter}, {@code BAD_EVENT_QUEUE_ID} once queues are dropped ({@link #dropQueues()}),
 * {@code GET /messages} with an anchor, {@code POST /messages} ({@code STREAM_DOES_NOT_EXIST} for unknown streams),
 * {@code PATCH /messages/{id}} refusing edits older than the edit limit against the injected clock, and 429
 * {@code RATE_LIMIT_HIT} with a float {@code retry-after} on demand. Every request is recorded.
 *
 * <p>Reactions ({@link #react}) follow contracts/reactions.md: a queue gets {@code reaction} events only if its
 * {@code /register} named them in {@code event_types} (a queue registered without {@code event_types} gets every
 * type), shaped as the contract's fixtures, with or without the deprecated {@code user} object; they go to the queues
 * of the bot when it can see the message. {@code GET /users/{id}} answers as the contract's fixture, with the
 * user's Zulip API email and a {@code delivery_email} of null.
 *
 * <pre>{@code
 * try (FakeZulipServer zulip = FakeZulipServer.start("bot@example.com", "KEY", "buildduty", ticker)) {
 *     zulip.addUser("alice@example.com", "Alice");
 *     zulip.postStream("alice@example.com", "ops", "deploys", "!whoami");
 *     zulip.awaitMessage(m -> m.content().contains("alice"), Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class FakeZulipServer implements AutoCloseable {
    /** A message on the server, with its content after any edits. */
    public record Message(long id, String senderEmail, String type, String stream, String topic,
            List<String> recipients, String content, long timestamp, int edits) {
    }

    /** A request as it arrived: what tests check that no secret leaks into. */
    public record Call(String method, String path, String url, String body, String authorization) {
    }

    private final MockWebServer server = new MockWebServer();
    private final String botEmail;
    private final String botName;
    private final Ticker clock;
    private final Map<String, Long> userIds = new LinkedHashMap<>();
    private final Map<Long, String> userNames = new HashMap<>();
    private final Map<Long, Message> messages = new LinkedHashMap<>();
    private final Map<String, List<ObjectNode>> queues = new HashMap<>();
    private final Map<String, Set<String>> queueTypes = new HashMap<>();
    private final Set<String> streams = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private final Set<String> subscribed = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private final List<Call> calls = new ArrayList<>();
    private volatile String apiKey;
    private long nextMessageId = 100;
    private long nextEventId;
    private int queueCount;
    private int rateLimited;
    private int failing;
    private int failStatus;
    private double retryAfter;
    private Duration heartbeatAfter = Duration.ofMillis(300);
    private Duration editLimit = Duration.ofSeconds(600);
    private boolean closed;

    private FakeZulipServer(String botEmail, String apiKey, String botName, Ticker clock) {
        this.botEmail = botEmail;
        this.apiKey = apiKey;
        this.botName = botName;
        this.clock = clock;
        addUser(botEmail, botName);
    }

    /** Starts a server on a free loopback port for the bot {@code botEmail} with {@code apiKey}. */
    public static FakeZulipServer start(String botEmail, String apiKey, String botName, Ticker clock)
            throws IOException {
        FakeZulipServer z = new FakeZulipServer(botEmail, apiKey, botName, clock);
        LoopbackHttp.start(z.server, z::handle);
        return z;
    }

    /** The site URL to configure ({@code http://127.0.0.1:<port>}). */
    public URI site() {
        return URI.create("http://127.0.0.1:" + server.getPort());
    }

    /** Adds a user; returns the user id. */
    public synchronized long addUser(String email, String fullName) {
        long id = 10 + userIds.size();
        userIds.putIfAbsent(email, id);
        userNames.put(userIds.get(email), fullName);
        return userIds.get(email);
    }

    /** Creates a stream (the bot is not subscribed until it asks, or {@link #subscribeBot}). */
    public synchronized void addStream(String name) {
        streams.add(name);
    }

    /** Subscribes the bot to a stream, creating it. */
    public synchronized void subscribeBot(String name) {
        streams.add(name);
        subscribed.add(name);
    }

    /** A user posts in a stream (created if needed); delivered to the bot's queues if it is subscribed. */
    public synchronized long postStream(String sender, String stream, String topic, String content) {
        streams.add(stream);
        return deliver(new Message(nextMessageId++, sender, "stream", stream, topic, List.of(), content,
                clock.now().getEpochSecond(), 0));
    }

    /** A user sends the bot a private message. */
    public synchronized long postPrivate(String sender, String content) {
        return deliver(new Message(nextMessageId++, sender, "private", null, "", List.of(sender, botEmail), content,
                clock.now().getEpochSecond(), 0));
    }

    /** Garbage-collects every event queue: the next poll of each gets {@code BAD_EVENT_QUEUE_ID}. */
    public void dropQueues() {
        dropQueues(() -> { });
    }

    /**
     * Garbage-collects every event queue and runs {@code meanwhile} (posting messages) before any client can
     * register again: those messages are in no queue, only in {@code GET /messages}.
     */
    public synchronized void dropQueues(Runnable meanwhile) {
        queues.clear();
        meanwhile.run();
        notifyAll();
    }

    /** The next {@code count} requests get 429 {@code RATE_LIMIT_HIT} with this float {@code retry-after}. */
    public synchronized void rateLimitNext(int count, double retryAfterSeconds) {
        rateLimited = count;
        retryAfter = retryAfterSeconds;
    }

    /** The next {@code count} requests get {@code status} with a proxy's HTML page (a 502 from nginx, say). */
    public synchronized void failNext(int count, int status) {
        failing = count;
        failStatus = status;
    }

    /** From now on the bot's key is refused. */
    public void revokeKey() {
        apiKey = "revoked-" + apiKey;
    }

    public synchronized void heartbeatAfter(Duration d) {
        heartbeatAfter = d;
    }

    /** The realm's {@code message_content_edit_limit_seconds}. */
    public synchronized void editLimit(Duration d) {
        editLimit = d;
    }

    /** Every message on the server, in id order. */
    public synchronized List<Message> messages() {
        return List.copyOf(messages.values());
    }

    /** The messages the bot sent, in id order. */
    public synchronized List<Message> botMessages() {
        return messages.values().stream().filter(m -> m.senderEmail().equals(botEmail)).toList();
    }

    /** Every request so far. */
    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** How many event queues were registered. */
    public synchronized int registrations() {
        return queueCount;
    }

    /** Waits for a message the bot sent that matches; fails after {@code timeout}. */
    public synchronized Message awaitMessage(Predicate<Message> p, Duration timeout) throws InterruptedException {
        return Await.first(this, messages.values(), m -> m.senderEmail().equals(botEmail) && p.test(m), timeout,
                () -> "no such bot message after " + timeout + "; bot sent: " + botMessages());
    }

    private long deliver(Message m) {
        messages.put(m.id(), m);
        if (visible(m)) {
            for (Map.Entry<String, List<ObjectNode>> q : queues.entrySet()) {
                if (takes(q.getKey(), "message")) {
                    ObjectNode e = FakeZulipWire.JSON.createObjectNode();
                    e.put("id", nextEventId++).put("type", "message").set("message", json(m));
                    q.getValue().add(e);
                }
            }
        }
        notifyAll();
        return m.id();
    }

    /** True if the queue registered for events of {@code type} (every type without {@code event_types}). */
    private boolean takes(String queue, String type) {
        Set<String> types = queueTypes.get(queue);
        return types == null || types.contains(type);
    }

    /**
     * {@code user} reacts to message {@code messageId} with a Unicode emoji ({@code op} add, or remove with
     * {@code add} false), as the fixture zulip_event_reaction_add.json (or _remove.json) is shaped; with
     * {@code userObject} false the deprecated {@code user} object is left out, as servers between feature levels 328
     * and 339 do. Delivered to the queues that registered for reactions, if the bot can see the message.
     */
    public synchronized void react(String user, long messageId, String emojiName, String emojiCode, boolean add,
            boolean userObject) {
        ObjectNode e = template(add ? "zulip_event_reaction_add.json" : "zulip_event_reaction_remove.json");
        long uid = userIds.getOrDefault(user, 999L);
        e.put("user_id", uid).put("message_id", messageId).put("emoji_name", emojiName).put("emoji_code", emojiCode)
                .put("reaction_type", "unicode_emoji");
        if (userObject) {
            ((ObjectNode) e.path("user")).put("user_id", uid).put("email", user)
                    .put("full_name", userNames.getOrDefault(uid, user));
        } else {
            e.remove("user");
        }
        Message m = messages.get(messageId);
        if (m != null && visible(m)) {
            for (Map.Entry<String, List<ObjectNode>> q : queues.entrySet()) {
                if (takes(q.getKey(), "reaction")) {
                    q.getValue().add(e.deepCopy().put("id", nextEventId++));
                }
            }
        }
        notifyAll();
    }

    /** A contract fixture from the test resources, as a fresh object to fill in. */
    private static ObjectNode template(String name) {
        try (java.io.InputStream in = FakeZulipServer.class.getResourceAsStream("/contracts/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no contract fixture " + name);
            }
            return (ObjectNode) FakeZulipWire.JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable contract fixture " + name, e);
        }
    }

    private boolean visible(Message m) {
        return m.type().equals("private") ? m.recipients().contains(botEmail) : subscribed.contains(m.stream());
    }

    private ObjectNode json(Message m) {
        return FakeZulipWire.json(m, e -> userIds.getOrDefault(e, 999L),
                e -> userNames.getOrDefault(userIds.get(e), e));
    }

    private MockResponse handle(RecordedRequest r) throws InterruptedException {
        String path = r.getUrl().encodedPath();
        String body = r.getBody() == null ? "" : r.getBody().utf8();
        Map<String, String> p = params(r, body);
        synchronized (this) {
            calls.add(new Call(r.getMethod(), path, r.getUrl().toString(), body, r.getHeaders().get("Authorization")));
            if (!authorized(r.getHeaders().get("Authorization"))) {
                return error(401, "INVALID_API_KEY", "Invalid API key");
            }
            if (failing > 0) {
                failing--;
                return new MockResponse.Builder().code(failStatus).addHeader("Content-Type", "text/html")
                        .body("<html><body><h1>" + failStatus + " Bad Gateway</h1></body></html>").build();
            }
            if (rateLimited > 0) {
                rateLimited--;
                ObjectNode n = errorBody("RATE_LIMIT_HIT", "API usage exceeded rate limit");
                n.put("retry-after", retryAfter);
                return respond(429, n).newBuilder().setHeader("Retry-After", (long) Math.ceil(retryAfter)).build();
            }
        }
        String route = r.getMethod() + " " + path.replaceFirst("^/api/v1/", "").replaceAll("/\\d+$", "/{id}");
        switch (route) {
            case "GET users/me":
                return me();
            case "POST users/me/subscriptions":
                return subscribe(p);
            case "POST register":
                return register(p);
            case "GET users/{id}":
                return user(Long.parseLong(path.substring(path.lastIndexOf('/') + 1)));
            case "GET events":
                return events(p);
            case "DELETE events":
                return deleteQueue(p);
            case "GET messages":
                return history(p);
            case "POST messages":
                return send(p);
            case "PATCH messages/{id}":
                return edit(Long.parseLong(path.substring(path.lastIndexOf('/') + 1)), p);
            default:
                return error(404, "BAD_REQUEST", "Unknown endpoint " + route);
        }
    }

    private boolean authorized(String header) {
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                (botEmail + ":" + apiKey).getBytes(StandardCharsets.UTF_8));
        return expected.equals(header);
    }

    private synchronized MockResponse me() {
        ObjectNode n = success();
        n.put("user_id", userIds.get(botEmail)).put("email", botEmail).put("full_name", botName).put("is_bot", true);
        return respond(200, n);
    }

    /** {@code GET /users/{id}}, shaped as zulip_GET_users_id_response.json; 400 for an unknown id. */
    private synchronized MockResponse user(long id) {
        String email = userIds.entrySet().stream().filter(e -> e.getValue() == id).map(Map.Entry::getKey)
                .findFirst().orElse(null);
        if (email == null) {
            return error(400, "BAD_REQUEST", "No such user");
        }
        ObjectNode n = template("zulip_GET_users_id_response.json");
        ((ObjectNode) n.path("user")).put("user_id", id).put("email", email)
                .put("full_name", userNames.getOrDefault(id, email)).put("is_bot", email.equals(botEmail))
                .putNull("delivery_email");
        return respond(200, n);
    }

    private synchronized MockResponse subscribe(Map<String, String> p) {
        ObjectNode n = success();
        ArrayNode added = n.putObject("subscribed").putArray(botEmail);
        n.putObject("already_subscribed");
        for (JsonNode s : readJson(p.getOrDefault("subscriptions", "[]"))) {
            String name = s.path("name").asText();
            streams.add(name);
            if (subscribed.add(name)) {
                added.add(name);
            }
        }
        return respond(200, n);
    }

    private synchronized MockResponse register(Map<String, String> p) {
        String id = "1482093786:" + (++queueCount);
        queues.put(id, new ArrayList<>());
        if (p.containsKey("event_types")) {
            Set<String> types = new TreeSet<>();
            readJson(p.get("event_types")).forEach(t -> types.add(t.asText()));
            queueTypes.put(id, types);
        }
        ObjectNode n = success();
        n.put("queue_id", id).put("last_event_id", nextEventId - 1)
                .put("max_message_id", messages.values().stream().filter(this::visible).mapToLong(Message::id)
                        .max().orElse(-1))
                .put("zulip_feature_level", 237).put("zulip_version", "8.0")
                .put("event_queue_longpoll_timeout_seconds", 90);
        return respond(200, n);
    }

    private synchronized MockResponse events(Map<String, String> p) throws InterruptedException {
        String id = p.getOrDefault("queue_id", "");
        long last = Long.parseLong(p.getOrDefault("last_event_id", "-1"));
        long end = System.nanoTime() + heartbeatAfter.toNanos();
        while (true) {
            List<ObjectNode> q = queues.get(id);
            if (q == null || closed) {
                ObjectNode n = errorBody("BAD_EVENT_QUEUE_ID", "Bad event queue ID: " + id);
                n.put("queue_id", id);
                return respond(400, n);
            }
            q.removeIf(e -> e.get("id").asLong() <= last);
            if (!q.isEmpty()) {
                ObjectNode n = success();
                n.put("queue_id", id).putArray("events").addAll(q);
                return respond(200, n);
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                ObjectNode n = success();
                n.put("queue_id", id).putArray("events").addObject().put("type", "heartbeat").put("id", nextEventId++);
                return respond(200, n);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    private synchronized MockResponse deleteQueue(Map<String, String> p) {
        queues.remove(p.getOrDefault("queue_id", ""));
        notifyAll();
        return respond(200, success());
    }

    private synchronized MockResponse history(Map<String, String> p) {
        String anchorText = p.getOrDefault("anchor", "newest");
        long anchor = anchorText.equals("newest") ? Long.MAX_VALUE : anchorText.equals("oldest") ? 0
                : Long.parseLong(anchorText);
        int after = Integer.parseInt(p.getOrDefault("num_after", "0"));
        int before = Integer.parseInt(p.getOrDefault("num_before", "0"));
        List<Message> visible = messages.values().stream().filter(this::visible).toList();
        List<Message> older = visible.stream().filter(m -> m.id() < anchor).toList();
        List<Message> newer = visible.stream().filter(m -> m.id() >= anchor).toList();
        ObjectNode n = success();
        ArrayNode out = n.putArray("messages");
        older.subList(Math.max(0, older.size() - before), older.size()).forEach(m -> out.add(json(m)));
        boolean found = !newer.isEmpty() && newer.get(0).id() == anchor;
        int take = Math.min(after + (found ? 1 : 0), newer.size());
        newer.subList(0, take).forEach(m -> out.add(json(m)));
        n.put("found_anchor", found).put("found_newest", take == newer.size())
                .put("found_oldest", older.size() <= before)
                .put("anchor", anchor == Long.MAX_VALUE ? nextMessageId : anchor);
        return respond(200, n);
    }

    private synchronized MockResponse send(Map<String, String> p) {
        String type = p.getOrDefault("type", "");
        String content = p.get("content");
        if (content == null) {
            ObjectNode n = errorBody("REQUEST_VARIABLE_MISSING", "Missing 'content' argument");
            n.put("var_name", "content");
            return respond(400, n);
        }
        long id;
        if (type.equals("stream") || type.equals("channel")) {
            String stream = p.getOrDefault("to", "");
            if (!streams.contains(stream)) {
                ObjectNode n = errorBody("STREAM_DOES_NOT_EXIST", "Channel '" + stream + "' does not exist");
                n.put("stream", stream);
                return respond(400, n);
            }
            id = deliver(new Message(nextMessageId++, botEmail, "stream", stream, p.getOrDefault("topic", ""),
                    List.of(), content, clock.now().getEpochSecond(), 0));
        } else if (type.equals("direct") || type.equals("private")) {
            List<String> to = new ArrayList<>();
            readJson(p.getOrDefault("to", "[]")).forEach(e -> to.add(e.asText()));
            to.add(botEmail);
            id = deliver(new Message(nextMessageId++, botEmail, "private", null, "", List.copyOf(to), content,
                    clock.now().getEpochSecond(), 0));
        } else {
            return error(400, "BAD_REQUEST", "Invalid type");
        }
        ObjectNode n = success();
        n.put("id", id).put("automatic_new_visibility_policy", 2);
        return respond(200, n);
    }

    private synchronized MockResponse edit(long id, Map<String, String> p) {
        Message m = messages.get(id);
        if (m == null) {
            return error(400, "BAD_REQUEST", "Invalid message(s)");
        }
        if (!m.senderEmail().equals(botEmail)) {
            return error(400, "BAD_REQUEST", "You don't have permission to edit this message");
        }
        if (clock.now().getEpochSecond() - m.timestamp() > editLimit.toSeconds()) {
            return error(400, "BAD_REQUEST", "The time limit for editing this message has passed");
        }
        messages.put(id, new Message(id, m.senderEmail(), m.type(), m.stream(), p.getOrDefault("topic", m.topic()),
                m.recipients(), p.getOrDefault("content", m.content()), m.timestamp(), m.edits() + 1));
        notifyAll();
        return respond(200, success());
    }

    private MockResponse error(int status, String code, String msg) {
        return respond(status, errorBody(code, msg));
    }

    private MockResponse respond(int status, JsonNode body) {
        long reset = clock.now().getEpochSecond() + 60;
        return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
                .addHeader("X-RateLimit-Limit", 200).addHeader("X-RateLimit-Remaining", 199)
                .addHeader("X-RateLimit-Reset", reset).body(body.toString()).build();
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        server.close();
    }
}
