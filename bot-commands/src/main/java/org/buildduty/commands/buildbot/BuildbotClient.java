package org.buildduty.commands.buildbot;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import org.buildduty.core.time.Ticker;
import org.buildduty.exec.http.HttpCredential;
import org.buildduty.exec.http.Json;
import org.buildduty.exec.http.OkHttpClients;
import org.buildduty.exec.http.Sessions;

/**
 * Talks to a Buildbot 3.7 master's REST API ({@code /api/v2}): lists builders, workers, builds and build requests,
 * forces builds through a ForceScheduler and cancels build requests (JSON-RPC).
 *
 * <p>With a SESSION credential it logs in the Buildbot way ({@code GET /auth/login} with Basic credentials, keeping
 * the last {@code TWISTED_SESSION} cookie; the handling shared with the {@code http} steps, {@link Sessions}) before
 * its first call, and again once when a call is answered 401 or 403. Without a credential it is anonymous (reads
 * usually work, control calls are refused). Every failure becomes a {@link BuildbotException} with one chat-safe line.
 * Thread-safe.
 *
 * <pre>{@code
 * BuildbotClient bb = BuildbotClient.of(URI.create("http://buildbot:8010/"), "bot", () -> password);
 * ForceResult f = bb.force("force", "quick", "main", null, "release 4.2");
 * List<Build> builds = bb.buildsOfRequest(f.onlyRequest());
 * }</pre>
 */
public final class BuildbotClient {
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final int MAX_BODY = 4 << 20;

    private final ObjectMapper mapper = new ObjectMapper();
    private final OkHttpClient http;
    private final OkHttpClient noRedirects;
    private final Sessions sessions;
    private final HttpCredential credential;
    private final URI baseUrl;
    private final HttpUrl api;
    private final Ticker ticker;
    private final AtomicLong ids = new AtomicLong();

    /**
     * A client of the master at {@code baseUrl} (its web root, e.g. {@code http://buildbot:8010/}) sending through
     * {@code http} (whose pool it shares; it adds its own session interceptor). {@code credential} may be null
     * (anonymous); cookie expiry is judged by {@code ticker}.
     */
    public BuildbotClient(OkHttpClient http, HttpCredential credential, URI baseUrl, Ticker ticker) {
        Objects.requireNonNull(http, "http");
        this.baseUrl = withSlash(Objects.requireNonNull(baseUrl, "baseUrl"));
        this.api = Objects.requireNonNull(HttpUrl.parse(this.baseUrl.resolve("api/v2/").toString()),
                "baseUrl must be an http or https URL");
        this.credential = credential;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sessions = new Sessions(ticker);
        this.http = http.newBuilder().addNetworkInterceptor(sessions).build();
        this.noRedirects = http.newBuilder().followRedirects(false).followSslRedirects(false).build();
    }

    /** A client with the system clock for cookie expiry. */
    public BuildbotClient(OkHttpClient http, HttpCredential credential, URI baseUrl) {
        this(http, credential, baseUrl, Ticker.system());
    }

    /**
     * A client logging in as {@code user} at {@code baseUrl + "auth/login"}, with 10 s to connect and 30 s for a
     * read.
     */
    public static BuildbotClient of(URI baseUrl, String user, Supplier<String> password) {
        URI base = withSlash(baseUrl);
        HttpCredential c = HttpCredential.session("buildbot", base, user, password, base.resolve("auth/login"));
        return new BuildbotClient(defaultHttp(), c, base);
    }

    /** A client that does not log in (Buildbot's anonymous user: reads only, where authz allows). */
    public static BuildbotClient anonymous(URI baseUrl) {
        return new BuildbotClient(defaultHttp(), null, withSlash(baseUrl));
    }

    private static OkHttpClient defaultHttp() {
        return OkHttpClients.builder(Duration.ofSeconds(30), Duration.ofSeconds(30)).build();
    }

    /** The master's web root, ending in {@code /}. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** Every builder, in id order. */
    public List<Builder> builders() {
        List<Builder> out = new ArrayList<>();
        for (JsonNode b : get("builders", "builders")) {
            out.add(new Builder(b.path("builderid").asInt(), b.path("name").asText()));
        }
        return out;
    }

    /** The builder called {@code name}, if there is one. */
    public Optional<Builder> builder(String name) {
        return builders().stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /**
     * Forces a build of {@code builder} through ForceScheduler {@code scheduler} (by {@code builderNames}, which
     * Buildbot checks against the scheduler's builders). {@code branch}, {@code revision} and {@code reason} may be
     * null (the scheduler's defaults).
     *
     * @throws BuildbotException naming the builders when there is no such builder, or the scheduler's refusal
     */
    public ForceResult force(String scheduler, String builder, String branch, String revision, String reason) {
        ObjectNode params = mapper.createObjectNode();
        params.putArray("builderNames").add(builder);
        if (branch != null) {
            params.put("branch", branch);
        }
        if (revision != null) {
            params.put("revision", revision);
        }
        if (reason != null) {
            params.put("reason", reason);
        }
        JsonNode result;
        try {
            result = rpc(List.of("forceschedulers", scheduler), "force", params);
        } catch (BuildbotException e) {
            throw explainForce(e, scheduler, builder);
        }
        if (result == null || !result.isArray() || result.size() != 2 || !result.get(1).isObject()) {
            throw new BuildbotException("Buildbot gave no build request for the forced build (scheduler \""
                    + scheduler + "\" answered " + BuildbotErrors.cut(String.valueOf(result), 80) + ")");
        }
        Map<Integer, Long> requests = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : result.get(1).properties()) {
            requests.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
        }
        return new ForceResult(result.get(0).asLong(), requests);
    }

    /** The build request {@code brid}. */
    public BuildRequest buildRequest(long brid) {
        JsonNode list = get("buildrequests", "buildrequests/" + brid);
        if (list.size() == 0) {
            throw new BuildbotException("no build request " + brid + " on Buildbot");
        }
        return request(list.get(0));
    }

    /** The builds that ran or run request {@code brid} (several after retries), oldest first; empty while queued. */
    public List<Build> buildsOfRequest(long brid) {
        return builds(get("builds", "builds", "buildrequestid", Long.toString(brid), "order", "buildid"));
    }

    /** The builds running now, on any builder. */
    public List<Build> runningBuilds() {
        return builds(get("builds", "builds", "complete", "false", "order", "buildid"));
    }

    /** The build requests no master has claimed yet (the queue). */
    public List<BuildRequest> queuedRequests() {
        List<BuildRequest> out = new ArrayList<>();
        for (JsonNode r : get("buildrequests", "buildrequests", "complete", "false", "claimed", "false",
                "order", "buildrequestid")) {
            out.add(request(r));
        }
        return out;
    }

    /** Worker names by worker id. */
    public Map<Integer, String> workers() {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (JsonNode w : get("workers", "workers")) {
            out.put(w.path("workerid").asInt(), w.path("name").asText());
        }
        return out;
    }

    /** The properties of build {@code buildId}: name → value (a string's text, else its JSON). */
    public Map<String, String> buildProperties(long buildId) {
        JsonNode list = get("builds", "builds/" + buildId, "property", "*");
        Map<String, String> out = new LinkedHashMap<>();
        if (list.size() == 0) {
            throw new BuildbotException("no build " + buildId + " on Buildbot");
        }
        for (Map.Entry<String, JsonNode> e : list.get(0).path("properties").properties()) {
            JsonNode v = e.getValue().path(0);
            out.put(e.getKey(), v.isTextual() ? v.asText() : v.toString());
        }
        return out;
    }

    /** Cancels build request {@code brid}, queued or running (its build ends CANCELLED). */
    public void cancelRequest(long brid, String reason) {
        ObjectNode params = mapper.createObjectNode();
        params.put("reason", reason == null ? "cancelled" : reason);
        rpc(List.of("buildrequests", Long.toString(brid)), "cancel", params);
    }

    private BuildbotException explainForce(BuildbotException e, String scheduler, String builder) {
        String m = e.getMessage();
        if (m.contains("builderNames not specified or not supported")) {
            List<Builder> all;
            try {
                all = builders();
            } catch (BuildbotException again) {
                return e;
            }
            String names = all.stream().map(Builder::name).sorted().collect(Collectors.joining(", "));
            if (all.stream().noneMatch(b -> b.name().equals(builder))) {
                return new BuildbotException("no builder \"" + BuildbotErrors.cut(builder, 60)
                        + "\" on Buildbot (builders: " + names + ")");
            }
            return new BuildbotException("Buildbot scheduler \"" + BuildbotErrors.cut(scheduler, 60)
                    + "\" cannot build \"" + builder + "\"");
        }
        if (m.contains("'NoneType' object has no attribute 'force'")) {
            return new BuildbotException("no force scheduler \"" + BuildbotErrors.cut(scheduler, 60)
                    + "\" on Buildbot");
        }
        return e;
    }

    private static BuildRequest request(JsonNode r) {
        int results = r.path("results").asInt(-1);
        return new BuildRequest(r.path("buildrequestid").asLong(), r.path("buildsetid").asLong(),
                r.path("builderid").asInt(), r.path("claimed").asBoolean(), r.path("complete").asBoolean(),
                r.path("complete").asBoolean() && results >= 0 ? results : null, time(r.path("submitted_at")));
    }

    private static List<Build> builds(JsonNode list) {
        List<Build> out = new ArrayList<>();
        for (JsonNode b : list) {
            JsonNode results = b.path("results");
            out.add(new Build(b.path("buildid").asLong(), b.path("number").asInt(), b.path("builderid").asInt(),
                    b.path("buildrequestid").asLong(), b.path("workerid").asInt(), time(b.path("started_at")),
                    b.path("complete").asBoolean(), time(b.path("complete_at")),
                    results.isNumber() ? results.asInt() : null, b.path("state_string").asText("")));
        }
        return out;
    }

    private static Instant time(JsonNode n) {
        return n.isNumber() ? Instant.ofEpochSecond(n.asLong()) : null;
    }

    /** GETs {@code path} with query pairs and returns the list under {@code type}. */
    private JsonNode get(String type, String path, String... query) {
        HttpUrl.Builder url = api.newBuilder().addPathSegments(path);
        for (int i = 0; i < query.length; i += 2) {
            url.addQueryParameter(query[i], query[i + 1]);
        }
        Request request = new Request.Builder().url(url.build()).get().header("Accept", "application/json").build();
        JsonNode body = send(request);
        JsonNode list = body.path(type);
        if (!list.isArray()) {
            throw new BuildbotException("Buildbot answered " + path + " without \"" + type + "\"");
        }
        return list;
    }

    /** POSTs a JSON-RPC call to {@code path} and returns its {@code result} (null for JSON null). */
    private JsonNode rpc(List<String> path, String method, ObjectNode params) {
        HttpUrl.Builder url = api.newBuilder();
        path.forEach(url::addPathSegment);
        ObjectNode call = mapper.createObjectNode();
        call.put("jsonrpc", "2.0");
        call.put("method", method);
        call.set("params", params);
        call.put("id", ids.incrementAndGet());
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(call);
        } catch (IOException e) {
            throw new BuildbotException("cannot write a Buildbot call", e);
        }
        Request request = new Request.Builder().url(url.build()).post(RequestBody.create(body, JSON))
                .header("Accept", "application/json").build();
        JsonNode answer = send(request);
        if (answer.has("error")) {
            throw new BuildbotException(BuildbotErrors.message(200, answer));
        }
        JsonNode result = answer.get("result");
        return result == null || result.isNull() ? null : result;
    }

    /** Sends with the session (logging in first, and again once on 401/403); the parsed 2xx JSON body. */
    private JsonNode send(Request request) {
        boolean session = credential != null && credential.kind() == HttpCredential.Kind.SESSION;
        for (int attempt = 0; ; attempt++) {
            long generation = session ? login() : 0;
            Request tagged = credential == null ? request
                    : request.newBuilder().tag(HttpCredential.class, credential).build();
            int status;
            byte[] body;
            try (Response r = http.newCall(tagged).execute()) {
                status = r.code();
                try (InputStream in = r.body().byteStream()) {
                    body = in.readNBytes(MAX_BODY);
                }
            } catch (IOException e) {
                throw new BuildbotUnreachableException(BuildbotErrors.unreachable(baseUrl, e), e);
            }
            if (session && attempt == 0 && (status == 401 || status == 403)) {
                sessions.of(credential).invalidate(generation);
                continue;
            }
            JsonNode json = Json.parse(body);
            if (BuildbotUnreachableException.gatewayStatus(status)) {
                throw new BuildbotUnreachableException(BuildbotErrors.gateway(baseUrl, status));
            }
            if (status / 100 != 2) {
                throw new BuildbotException(BuildbotErrors.message(status, json));
            }
            if (json == null) {
                throw new BuildbotException("Buildbot answered " + request.url().encodedPath() + " with no JSON");
            }
            return json;
        }
    }

    /** Logs in unless the session already holds cookies; the session generation used. */
    private long login() {
        Sessions.Session s = sessions.of(credential);
        synchronized (s.loginLock()) {
            if (s.active()) {
                return s.generation();
            }
            Request request = Sessions.loginRequest(credential);
            try (Response r = noRedirects.newCall(request).execute()) {
                if (BuildbotUnreachableException.gatewayStatus(r.code())) {
                    throw new BuildbotUnreachableException(BuildbotErrors.gateway(baseUrl, r.code()));
                }
                if (r.code() >= 400) {
                    throw new BuildbotException("Buildbot refused the login as " + BuildbotErrors.cut(
                            credential.user(), 40) + ": " + r.code() + " " + BuildbotErrors.cut(r.message(), 60));
                }
                if (!s.loggedIn(request, r.headers(), ticker.now())) {
                    throw new BuildbotException("Buildbot login as " + BuildbotErrors.cut(credential.user(), 40)
                            + " gave no session cookie (" + r.code() + ")");
                }
                return s.generation();
            } catch (IOException e) {
                throw new BuildbotUnreachableException(BuildbotErrors.unreachable(baseUrl, e), e);
            }
        }
    }

    private static URI withSlash(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? uri : URI.create(s + "/");
    }
}
