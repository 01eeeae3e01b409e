package org.buildduty.connectors.matrix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.chat.ConnectorMeters;
import org.buildduty.core.time.Backoff;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;
import org.buildduty.exec.http.OkHttpClients;
import org.buildduty.exec.http.RetryAfter;

/**
 * The few Client-Server API v3 calls the connector makes, over OkHttp. The access token goes only in the
 * {@code Authorization} header; path parameters are percent-encoded. A 429 waits for {@code Retry-After} (read by
 * {@link RetryAfter}: seconds or an HTTP date) or else {@code retry_after_ms}, at most 5 minutes, then repeats the
 * same request, body and transaction id included; a 5xx or a lost connection is repeated likewise where the caller
 * allows it. Each 429 wait counts as a rate-limit wait in the
 * connector's meters.
 */
final class MatrixClient {
    private static final Logger LOG = LoggerFactory.getLogger(MatrixClient.class);
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final String API = "_matrix/client/v3";
    /** Longest answer read; a sync of a busy account is far smaller with the bot's filter. */
    private static final int MAX_BODY = 16 << 20;
    private static final Duration LONGEST_WAIT = Duration.ofMinutes(5);
    private static final String HEX = "0123456789ABCDEF";

    private final ObjectMapper mapper = new ObjectMapper();
    private final OkHttpClient http;
    private final HttpUrl base;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final int maxRetries;
    private final Backoff retries;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final List<Call> inFlight = new ArrayList<>();
    private volatile String token;
    private volatile ConnectorMeters meters = ConnectorMeters.NONE;

    MatrixClient(MatrixConfig cfg, Ticker ticker, Sleeper sleeper) {
        HttpUrl url = HttpUrl.get(cfg.homeserver().toString());
        this.base = url;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.maxRetries = cfg.maxRetries();
        this.retries = Backoff.doubling(cfg.reconnectBase(), LONGEST_WAIT);
        this.token = cfg.accessToken().orElse(null);
        this.http = OkHttpClients.builder(cfg.syncTimeout().plusSeconds(15), Duration.ofSeconds(30))
                .retryOnConnectionFailure(false)
                .build();
    }

    /** Where the 429 waits are counted from now on. */
    void useMeters(ConnectorMeters m) {
        meters = Objects.requireNonNull(m, "meters");
    }

    boolean hasToken() {
        return token != null;
    }

    void forgetToken() {
        token = null;
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    /** {@code POST /login} with {@code m.login.password}; keeps the token it returns and gives the user id. */
    String login(String user, String password, String deviceId) {
        ObjectNode body = object();
        body.put("type", "m.login.password");
        body.putObject("identifier").put("type", "m.id.user").put("user", user);
        body.put("password", password);
        body.put("device_id", deviceId);
        body.put("initial_device_display_name", "buildduty bot");
        body.put("refresh_token", false);
        JsonNode r = call("POST", url("login").build(), body, false, false);
        String t = r.path("access_token").asText("");
        if (t.isEmpty()) {
            throw new MatrixException(200, "", "login answered without an access token");
        }
        token = t;
        return r.path("user_id").asText(user);
    }

    /** The rooms the bot is in. */
    List<String> joinedRooms() {
        List<String> out = new ArrayList<>();
        call("GET", url("joined_rooms").build(), null, true, true).path("joined_rooms")
                .forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Joins a room by id or alias and gives its room id. */
    String join(String roomIdOrAlias) {
        JsonNode r = call("POST", url("join").addEncodedPathSegment(enc(roomIdOrAlias)).build(), object(), true,
                true);
        return r.path("room_id").asText(roomIdOrAlias);
    }

    /** Accepts an invite: {@code POST /rooms/{roomId}/join}. */
    void joinInvited(String roomId) {
        call("POST", url("rooms").addEncodedPathSegment(enc(roomId)).addPathSegment("join").build(), object(), true,
                true);
    }

    /** One long poll; no retry here: the sync loop backs off and resumes from its token. */
    JsonNode sync(String since, Duration timeout, String filter) {
        HttpUrl.Builder u = url("sync").addQueryParameter("timeout", Long.toString(timeout.toMillis()))
                .addQueryParameter("filter", filter);
        if (since != null) {
            u.addQueryParameter("since", since);
        }
        return call("GET", u.build(), null, true, false);
    }

    /** {@code PUT /rooms/{roomId}/send/{type}/{txnId}}; every retry repeats the same transaction id. */
    String send(String roomId, String type, String txnId, ObjectNode content) {
        HttpUrl u = url("rooms").addEncodedPathSegment(enc(roomId)).addPathSegment("send").addPathSegment(type)
                .addEncodedPathSegment(enc(txnId)).build();
        JsonNode r = call("PUT", u, content, true, true);
        String id = r.path("event_id").asText("");
        if (id.isEmpty()) {
            throw new MatrixException(200, "", "send answered without an event id");
        }
        return id;
    }

    /** Stops waits and calls in flight; later calls fail. */
    void close() {
        synchronized (inFlight) {
            closing.countDown();
            inFlight.forEach(Call::cancel);
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    private HttpUrl.Builder url(String endpoint) {
        HttpUrl.Builder b = base.newBuilder();
        for (String s : API.split("/")) {
            b.addPathSegment(s);
        }
        return b.addPathSegment(endpoint);
    }

    /** Percent-encodes everything but unreserved characters, so {@code !}, {@code :}, {@code $} never go raw. */
    static String enc(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 15));
            }
        }
        return b.toString();
    }

    private JsonNode call(String method, HttpUrl url, JsonNode body, boolean auth, boolean retryTransient) {
        String what = method + " " + url.encodedPath();
        for (int attempt = 0; ; attempt++) {
            if (closing.getCount() == 0) {
                throw new MatrixException(0, "", what + ": connector closed");
            }
            Request.Builder rb = new Request.Builder().url(url).header("Accept", "application/json");
            if (auth) {
                String t = token;
                if (t == null) {
                    throw new MatrixException(401, "M_MISSING_TOKEN", what + ": no access token");
                }
                rb.header("Authorization", "Bearer " + t);
            }
            rb.method(method, body == null ? null : RequestBody.create(json(body), JSON));
            Call call = http.newCall(rb.build());
            Duration wait;
            String why;
            boolean limited = false;
            synchronized (inFlight) {
                if (closing.getCount() == 0) {
                    throw new MatrixException(0, "", what + ": connector closed");
                }
                inFlight.add(call);
            }
            try (Response r = call.execute()) {
                JsonNode answer = parse(r.body());
                if (r.isSuccessful()) {
                    return answer;
                }
                MatrixException e = error(what, r.code(), answer);
                if (r.code() == 429 && attempt < maxRetries) {
                    wait = retryAfter(r, answer, attempt);
                    why = "rate-limited (M_LIMIT_EXCEEDED)";
                    limited = true;
                } else if (r.code() >= 500 && retryTransient && attempt < maxRetries) {
                    wait = backoff(attempt);
                    why = "HTTP " + r.code();
                } else {
                    throw e;
                }
            } catch (IOException e) {
                if (closing.getCount() == 0 || !retryTransient || attempt >= maxRetries) {
                    throw new MatrixException(0, "", what + ": " + oneLine(e));
                }
                wait = backoff(attempt);
                why = oneLine(e);
            } finally {
                synchronized (inFlight) {
                    inFlight.remove(call);
                }
            }
            LOG.info("{}: {}; retrying in {} ms (attempt {})", what, why, wait.toMillis(), attempt + 1);
            if (limited) {
                meters.rateLimitWait(wait);
            }
            try {
                if (!sleeper.sleep(wait, closing)) {
                    throw new MatrixException(0, "", what + ": connector closed");
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new MatrixException(0, "", what + ": interrupted");
            }
        }
    }

    private Duration retryAfter(Response r, JsonNode answer, int attempt) {
        Optional<Duration> asked = RetryAfter.parse(r.header("Retry-After"), ticker.now());
        if (asked.isPresent()) {
            return cap(asked.get());
        }
        if (answer.path("retry_after_ms").canConvertToLong()) {
            return cap(Duration.ofMillis(Math.max(0, answer.path("retry_after_ms").asLong())));
        }
        return backoff(attempt);
    }

    private Duration backoff(int attempt) {
        return retries.delay(attempt);
    }

    private static Duration cap(Duration d) {
        return d.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : d;
    }

    private JsonNode parse(ResponseBody body) throws IOException {
        if (body == null) {
            return object();
        }
        BufferedSource src = body.source();
        src.request(MAX_BODY);
        byte[] bytes = src.getBuffer().readByteArray(Math.min(src.getBuffer().size(), MAX_BODY));
        if (bytes.length == 0) {
            return object();
        }
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            return object();
        }
    }

    private static MatrixException error(String what, int status, JsonNode answer) {
        String code = answer.path("errcode").asText("");
        String text = answer.path("error").asText("");
        String detail = code.isEmpty() ? "HTTP " + status : code + (text.isEmpty() ? "" : ": " + text);
        return new MatrixException(status, code, what + " → " + status + " (" + oneLine(detail) + ")");
    }

    private String json(JsonNode n) {
        try {
            return mapper.writeValueAsString(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String oneLine(Object o) {
        String s = String.valueOf(o).replaceAll("[\\r\\n\\t]+", " ").strip();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
