package org.buildduty.connectors.testing;

import static org.buildduty.connectors.testing.FakeMatrixParts.JSON;
import static org.buildduty.connectors.testing.FakeMatrixParts.LOGIN_FORBIDDEN;
import static org.buildduty.connectors.testing.FakeMatrixParts.NOT_INVITED;
import static org.buildduty.connectors.testing.FakeMatrixParts.UNKNOWN_TOKEN;
import static org.buildduty.connectors.testing.FakeMatrixParts.body;
import static org.buildduty.connectors.testing.FakeMatrixParts.error;
import static org.buildduty.connectors.testing.FakeMatrixParts.fixture;
import static org.buildduty.connectors.testing.FakeMatrixParts.ok;
import static org.buildduty.connectors.testing.FakeMatrixParts.parseLong;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

import org.buildduty.connectors.testing.FakeMatrixParts.Item;
import org.buildduty.connectors.testing.FakeMatrixParts.Room;
import org.buildduty.exec.testing.LoopbackHttp;

/**
 * A Matrix homeserver for one bot account, faithful to the Client-Server API v3 as far as the bot uses it, on a
 * real HTTP port on 127.0.0.1: {@code /login} ({@code m.login.password}), {@code /joined_rooms}, {@code /join} and
 * {@code /rooms/{id}/join} (403 {@code M_FORBIDDEN} for a room the bot may not join), {@code /sync} long polls over
 * an event stream the test appends to (messages, thread replies, reactions and their redactions in the shapes of the
 * contract fixtures, invites, and the bot's own messages echoed back),
 * and {@code PUT /rooms/{id}/send/{type}/{txnId}}, recorded, answering the same event id for a repeated
 * transaction id as a real homeserver does. Error bodies are those of the API contract fixtures.
 *
 * <p>Like a real homeserver with {@code shared} history visibility: a join adds the bot's {@code m.room.member}
 * event to the stream, and the first sync after it gives the room's timeline from before the join too (its last 50
 * events, {@code limited}), so a client sees old commands there. Timelines hold only the event types the sync's
 * inline filter asks for ({@code room.timeline.types}). Events are stamped ({@code origin_server_ts}) by the
 * server's clock: the system clock, or the test's ({@link #clock}).
 *
 * <p>Faults on demand: 429 {@code M_LIMIT_EXCEEDED} with {@code retry_after_ms}, a revoked token (401
 * {@code M_UNKNOWN_TOKEN}), sends whose response is lost after the event was stored, and dropped syncs.
 *
 * <pre>{@code
 * try (FakeMatrixServer hs = FakeMatrixServer.start("@bot:fake.test", "tok")) {
 *     hs.createRoom("!ops:fake.test", 5);
 *     hs.say("!ops:fake.test", "@alice:fake.test", "!whoami");
 *     FakeMatrixServer.Sent answer = hs.awaitSent(s -> s.body().contains("you are"), Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class FakeMatrixServer implements AutoCloseable {
    /** Where the fake's ids live. */
    public static final String SERVER = "fake.test";
    private static final String API = "/_matrix/client/v3/";
    private static final Duration LONGEST_POLL = Duration.ofSeconds(30);

    /** A message the bot sent and the server accepted. */
    public record Sent(String roomId, String type, String txnId, JsonNode content, String eventId) {
        /** The plain-text body. */
        public String body() {
            return content.path("body").asText("");
        }

        /** The {@code m.relates_to.rel_type}, or empty. */
        public String relType() {
            return content.path("m.relates_to").path("rel_type").asText("");
        }

        /** The {@code m.relates_to.event_id}, or empty. */
        public String relatesTo() {
            return content.path("m.relates_to").path("event_id").asText("");
        }
    }

    /** One request as it arrived: method, path with query, and the Authorization header (or null). */
    public record Request(String method, String target, String authorization) {
    }

    private final MockWebServer web = new MockWebServer();
    private final String botUser;
    private final Map<String, Room> rooms = new LinkedHashMap<>();
    private final Map<String, String> aliases = new HashMap<>();
    private final List<Item> stream = new ArrayList<>();
    private final List<Sent> sent = new ArrayList<>();
    private final Map<String, String> txnEvents = new HashMap<>();
    private final List<String> sendAttempts = new ArrayList<>();
    private final List<Request> requests = new ArrayList<>();
    private final List<JsonNode> logins = new ArrayList<>();
    private String token;
    private String loginPassword;
    private String loginToken;
    private int rateLimitedSends;
    private long retryAfterMs;
    private String retryAfterHeader;
    private int droppedSendResponses;
    private int droppedSyncs;
    private int syncs;
    private final List<Integer> heldAt = new ArrayList<>();
    private int nextEvent;
    private boolean closed;
    private Supplier<Instant> clock = Instant::now;

    private FakeMatrixServer(String botUser, String token) {
        this.botUser = botUser;
        this.token = token;
    }

    /** Starts the server on a free port of 127.0.0.1 for the account {@code botUser} holding {@code token}. */
    public static FakeMatrixServer start(String botUser, String token) throws IOException {
        FakeMatrixServer s = new FakeMatrixServer(botUser, token);
        LoopbackHttp.start(s.web, s::handle);
        return s;
    }

    /** The homeserver base URL, {@code http://127.0.0.1:<port>}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + web.getPort());
    }

    // ---- set-up ----

    /** A public room the bot may join, with {@code members} joined members once the bot is in. */
    public synchronized FakeMatrixServer createRoom(String roomId, int members) {
        rooms.put(roomId, new Room(roomId, true, members));
        return this;
    }

    /** An invite-only room the bot is not invited to: joining it is refused with 403 {@code M_FORBIDDEN}. */
    public synchronized FakeMatrixServer forbiddenRoom(String roomId) {
        rooms.put(roomId, new Room(roomId, false, 3));
        return this;
    }

    /** An alias that resolves to a room. */
    public synchronized FakeMatrixServer alias(String alias, String roomId) {
        aliases.put(alias, roomId);
        return this;
    }

    /** Lets the bot log in with {@code m.login.password}; a successful login issues {@code newToken}. */
    public synchronized FakeMatrixServer passwordLogin(String password, String newToken) {
        this.loginPassword = password;
        this.loginToken = newToken;
        return this;
    }

    /** Stamps events with the test's clock (a fake ticker's {@code now}) instead of the system clock. */
    public synchronized FakeMatrixServer clock(Supplier<Instant> now) {
        this.clock = Objects.requireNonNull(now, "now");
        return this;
    }

    // ---- the event stream ----

    /** A text message from {@code sender}; returns its event id. */
    public String say(String roomId, String sender, String body) {
        ObjectNode c = JSON.createObjectNode().put("msgtype", "m.text").put("body", body);
        return post(roomId, sender, c);
    }

    /** A text message in the thread rooted at {@code root}, as Element sends it; returns its event id. */
    public String sayInThread(String roomId, String sender, String body, String root) {
        ObjectNode c = JSON.createObjectNode().put("msgtype", "m.text").put("body", body);
        ObjectNode rel = c.putObject("m.relates_to").put("rel_type", "m.thread").put("event_id", root)
                .put("is_falling_back", true);
        rel.putObject("m.in_reply_to").put("event_id", root);
        return post(roomId, sender, c);
    }

    /** An {@code m.room.message} with any content; returns its event id. */
    public synchronized String post(String roomId, String sender, ObjectNode content) {
        String id = "$ev" + (++nextEvent) + ":" + SERVER;
        ObjectNode ev = JSON.createObjectNode().put("type", "m.room.message").put("event_id", id)
                .put("sender", sender).put("origin_server_ts", clock.get().toEpochMilli());
        ev.set("content", content);
        ev.putObject("unsigned").put("age", 10);
        stream.add(new Item(roomId, ev, null, false));
        notifyAll();
        return id;
    }

    /**
     * An {@code m.reaction} annotation by {@code sender} on event {@code target} with {@code key}, shaped as the
     * contract's fixture ({@code contracts/matrix_event_m.reaction.json}); returns the reaction's event id.
     */
    public synchronized String react(String roomId, String sender, String target, String key) {
        ObjectNode ev = template("matrix_event_m.reaction.json");
        String id = "$ev" + (++nextEvent) + ":" + SERVER;
        ev.remove("room_id");
        ev.put("event_id", id).put("sender", sender).put("origin_server_ts", clock.get().toEpochMilli());
        ((ObjectNode) ev.path("content").path("m.relates_to")).put("event_id", target).put("key", key);
        stream.add(new Item(roomId, ev, null, false));
        notifyAll();
        return id;
    }

    /**
     * An {@code m.room.redaction} by {@code sender} of event {@code redacts}, shaped as the contract's fixture
     * ({@code contracts/matrix_event_m.room.redaction_of_reaction.json}): the target both in {@code content.redacts}
     * (room version 11 and later) and at the top level, or with {@code topLevelOnly} only at the top level (room
     * versions 1 to 10); returns the redaction's event id.
     */
    public synchronized String redact(String roomId, String sender, String redacts, boolean topLevelOnly) {
        ObjectNode ev = template("matrix_event_m.room.redaction_of_reaction.json");
        String id = "$ev" + (++nextEvent) + ":" + SERVER;
        ev.remove("room_id");
        ev.put("event_id", id).put("sender", sender).put("origin_server_ts", clock.get().toEpochMilli())
                .put("redacts", redacts);
        if (topLevelOnly) {
            ((ObjectNode) ev.path("content")).remove("redacts");
        } else {
            ((ObjectNode) ev.path("content")).put("redacts", redacts);
        }
        stream.add(new Item(roomId, ev, null, false));
        notifyAll();
        return id;
    }

    /** A contract fixture from the test resources, as a fresh object to fill in. */
    static ObjectNode template(String name) {
        try (java.io.InputStream in = FakeMatrixServer.class.getResourceAsStream("/contracts/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no contract fixture " + name);
            }
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable contract fixture " + name, e);
        }
    }

    /** Removes the bot from a room it is in (a kick): it no longer sees the room and may join again only if invited. */
    public synchronized void kick(String roomId, String by) {
        Room r = rooms.get(roomId);
        if (r != null && r.joined) {
            r.joined = false;
            r.joinable = false;
            r.joinedAt = -1;
            ObjectNode ev = member(botUser, by, "leave", "join");
            stream.add(new Item(roomId, ev, null, false));
            notifyAll();
        }
    }

    /** Invites the bot to a room (created invite-only if unknown); the room becomes joinable for the bot. */
    public synchronized void invite(String roomId, String inviter, boolean direct) {
        Room r = rooms.computeIfAbsent(roomId, k -> new Room(k, false, direct ? 2 : 3));
        r.joinable = true;
        r.invited = true;
        stream.add(new Item(roomId, null, inviter, direct));
        notifyAll();
    }

    // ---- faults ----

    /** The next {@code n} sends are answered 429 {@code M_LIMIT_EXCEEDED} with {@code retry_after_ms}. */
    public synchronized void rateLimitSends(int n, long retryAfter) {
        rateLimitSends(n, retryAfter, null);
    }

    /** As {@link #rateLimitSends(int, long)}, with this {@code Retry-After} header too (none when null). */
    public synchronized void rateLimitSends(int n, long retryAfter, String header) {
        this.rateLimitedSends = n;
        this.retryAfterMs = retryAfter;
        this.retryAfterHeader = header;
    }

    /** The next {@code n} sends are stored, but the connection is closed before the answer. */
    public synchronized void dropSendResponses(int n) {
        this.droppedSendResponses = n;
    }

    /** The next {@code n} syncs lose their connection. */
    public synchronized void dropSyncs(int n) {
        this.droppedSyncs = n;
    }

    /** The bot's token stops working: every authenticated call gets 401 {@code M_UNKNOWN_TOKEN}. */
    public synchronized void revokeToken() {
        this.token = "revoked-" + System.nanoTime();
        notifyAll();
    }

    // ---- what happened ----

    /** Messages the bot sent, in order, each once. */
    public synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** The transaction id of every send request, retries included. */
    public synchronized List<String> sendAttempts() {
        return List.copyOf(sendAttempts);
    }

    /** Every request, in order. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The bodies of the login requests. */
    public synchronized List<JsonNode> logins() {
        return List.copyOf(logins);
    }

    /** The rooms the bot is in. */
    public synchronized List<String> joinedRooms() {
        return rooms.values().stream().filter(r -> r.joined).map(r -> r.id).toList();
    }

    /** Syncs answered so far. */
    public synchronized int syncs() {
        return syncs;
    }

    /** Waits for a sent message matching {@code p}. */
    public synchronized Sent awaitSent(Predicate<Sent> p, Duration max) throws InterruptedException {
        return Await.first(this, sent, p, max, () -> "no such message sent within " + max + "; sent: " + sent);
    }

    /**
     * Waits until the bot has caught up: a long poll is held from the end of the stream, so everything posted so far
     * was answered, handed on and its position saved (the connector stores it before polling again).
     */
    public synchronized void awaitCaughtUp(Duration max) throws InterruptedException {
        Await.until(this, () -> heldAt.contains(stream.size()), max, () -> "the bot is not polling from the end of "
                + "the stream (" + stream.size() + ") within " + max + "; polls held at " + heldAt);
    }

    /** Waits until {@code n} syncs have been answered in all. */
    public synchronized void awaitSyncs(int n, Duration max) throws InterruptedException {
        Await.until(this, () -> syncs >= n, max, () -> syncs + " syncs, not " + n + ", within " + max);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        web.close();
    }

    // ---- the API ----

    private synchronized MockResponse handle(RecordedRequest r) throws InterruptedException {
        String path = r.getUrl().encodedPath();
        String auth = r.getHeaders().get("Authorization");
        requests.add(new Request(r.getMethod(), r.getTarget(), auth));
        if (!path.startsWith(API)) {
            return error(404, "M_UNRECOGNIZED", "Unrecognized request");
        }
        List<String> seg = r.getUrl().pathSegments().subList(3, r.getUrl().pathSegments().size());
        String endpoint = seg.isEmpty() ? "" : seg.get(0);
        if (r.getMethod().equals("POST") && endpoint.equals("login")) {
            return login(body(r));
        }
        if (auth == null) {
            return error(401, "M_MISSING_TOKEN", "Missing access token");
        }
        if (!auth.equals("Bearer " + token)) {
            return fixture(401, UNKNOWN_TOKEN);
        }
        if (r.getMethod().equals("GET") && endpoint.equals("joined_rooms")) {
            ObjectNode o = JSON.createObjectNode();
            joinedRooms().forEach(o.putArray("joined_rooms")::add);
            return ok(o);
        }
        if (r.getMethod().equals("POST") && endpoint.equals("join") && seg.size() == 2) {
            return join(aliases.getOrDefault(seg.get(1), seg.get(1)));
        }
        if (r.getMethod().equals("POST") && endpoint.equals("rooms") && seg.size() == 3 && seg.get(2).equals("join")) {
            return join(seg.get(1));
        }
        if (r.getMethod().equals("GET") && endpoint.equals("sync")) {
            return sync(r);
        }
        if (r.getMethod().equals("PUT") && endpoint.equals("rooms") && seg.size() == 5 && seg.get(2).equals("send")) {
            return send(seg.get(1), seg.get(3), seg.get(4), body(r));
        }
        return error(404, "M_UNRECOGNIZED", "Unrecognized request");
    }

    private MockResponse login(JsonNode body) {
        logins.add(body);
        boolean good = loginPassword != null && body.path("type").asText().equals("m.login.password")
                && body.path("password").asText().equals(loginPassword)
                && (body.path("identifier").path("user").asText().equals(botUser)
                        || ("@" + body.path("identifier").path("user").asText() + ":" + SERVER).equals(botUser));
        if (!good) {
            return fixture(403, LOGIN_FORBIDDEN);
        }
        token = loginToken;
        ObjectNode o = JSON.createObjectNode().put("user_id", botUser).put("access_token", loginToken)
                .put("device_id", body.path("device_id").asText("FAKEDEVICE"));
        return ok(o);
    }

    private MockResponse join(String roomId) {
        Room room = rooms.get(roomId);
        if (room == null || !room.joinable) {
            return fixture(403, NOT_INVITED);
        }
        if (!room.joined) {
            room.joined = true;
            room.joinedAt = stream.size();
            stream.add(new Item(roomId, member(botUser, botUser, "join", room.invited ? "invite" : null), null, false));
            room.invited = false;
            notifyAll();
        }
        return ok(JSON.createObjectNode().put("room_id", roomId));
    }

    /** An {@code m.room.member} event about {@code user}, with the previous membership if any. */
    private ObjectNode member(String user, String sender, String membership, String before) {
        String id = "$ev" + (++nextEvent) + ":" + SERVER;
        ObjectNode ev = JSON.createObjectNode().put("type", "m.room.member").put("event_id", id).put("sender", sender)
                .put("state_key", user).put("origin_server_ts", clock.get().toEpochMilli());
        ev.putObject("content").put("membership", membership);
        ObjectNode unsigned = ev.putObject("unsigned").put("age", 10);
        if (before != null) {
            unsigned.putObject("prev_content").put("membership", before);
        }
        return ev;
    }

    private MockResponse sync(RecordedRequest r) throws InterruptedException {
        if (droppedSyncs > 0) {
            droppedSyncs--;
            return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
        }
        String since = r.getUrl().queryParameter("since");
        long timeout = parseLong(r.getUrl().queryParameter("timeout"));
        int from = since == null ? 0 : Integer.parseInt(since.substring(1));
        long end = System.nanoTime() + Math.min(timeout, LONGEST_POLL.toMillis()) * 1_000_000;
        String held = token;
        try {
            heldAt.add(from);
            notifyAll();
            while (stream.size() <= from && !closed && held.equals(token)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        } finally {
            heldAt.remove(Integer.valueOf(from));
        }
        if (!held.equals(token)) {
            return fixture(401, UNKNOWN_TOKEN);
        }
        ObjectNode o = FakeMatrixParts.syncAnswer(stream, Math.min(from, stream.size()), rooms, botUser,
                FakeMatrixParts.timelineTypes(r.getUrl().queryParameter("filter")));
        syncs++;
        notifyAll();
        return ok(o);
    }

    private MockResponse send(String roomId, String type, String txnId, JsonNode content) {
        sendAttempts.add(txnId);
        if (rateLimitedSends > 0) {
            rateLimitedSends--;
            MockResponse limited = fixture(429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too many requests\","
                    + "\"retry_after_ms\":" + retryAfterMs + "}");
            return retryAfterHeader == null ? limited
                    : limited.newBuilder().setHeader("Retry-After", retryAfterHeader).build();
        }
        Room room = rooms.get(roomId);
        if (room == null || !room.joined) {
            return error(403, "M_FORBIDDEN", "User " + botUser + " not in room " + roomId);
        }
        String eventId = txnEvents.get(txnId);
        if (eventId == null) {
            eventId = "$sent" + (++nextEvent) + ":" + SERVER;
            txnEvents.put(txnId, eventId);
            sent.add(new Sent(roomId, type, txnId, content, eventId));
            ObjectNode ev = JSON.createObjectNode().put("type", type).put("event_id", eventId).put("sender", botUser)
                    .put("origin_server_ts", clock.get().toEpochMilli());
            ev.set("content", content);
            stream.add(new Item(roomId, ev, null, false));
            notifyAll();
        }
        MockResponse.Builder b = new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                .body("{\"event_id\":\"" + eventId + "\"}");
        if (droppedSendResponses > 0) {
            droppedSendResponses--;
            b.onResponseStart(new SocketEffect.CloseSocket());
        }
        return b.build();
    }
}
