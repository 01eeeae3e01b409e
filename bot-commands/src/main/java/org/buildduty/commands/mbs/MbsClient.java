package org.buildduty.commands.mbs;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import org.buildduty.core.time.Ticker;
import org.buildduty.exec.http.Json;
import org.buildduty.exec.http.OkHttpClients;
import org.buildduty.exec.http.ServiceLines;

/**
 * Talks to a Module Build Service ({@code /module-build-service/1/}): reads module builds, lists the active ones,
 * and cancels one with the configured OIDC token ({@code Authorization: Bearer}). Reads are anonymous.
 *
 * <p>Reads of one build go through a shared cache (Caffeine, timed by the injected {@link Ticker}): every caller
 * asking for the same build within {@code maxAge} gets the answer of one upstream request, and concurrent callers
 * wait for that one request rather than sending their own. Every failure is an {@link MbsException} with one
 * chat-safe line (MBS's own message where it gave one, never the token). Thread-safe.
 *
 * <pre>{@code
 * MbsClient mbs = MbsClient.of(URI.create("https://mbs.fedoraproject.org"), () -> token, Ticker.system());
 * ModuleBuild b = mbs.build(570);
 * }</pre>
 */
public final class MbsClient {
    /** Where Fedora's Koji shows a task. */
    public static final String KOJI_TASKS = "https://koji.fedoraproject.org/koji/taskinfo?taskID=";

    private static final MediaType JSON = MediaType.get("application/json");
    private static final int MAX_BODY = 16 << 20;
    private static final int PER_PAGE = 100;
    private static final int MAX_PAGES = 20;

    private final OkHttpClient http;
    private final URI base;
    private final HttpUrl api;
    private final Supplier<String> token;
    private final String kojiTasks;
    private final Cache<Long, ModuleBuild> cache;
    private final AtomicLong requests = new AtomicLong();

    /**
     * A client of the MBS at {@code base} (e.g. {@code https://mbs.fedoraproject.org}).
     *
     * @param token the OIDC token for cancel, or null (then cancel is refused with one line)
     * @param kojiTasks the prefix of a Koji task link, to which the task id is appended
     * @param maxAge how long a read of one build is shared
     */
    public MbsClient(OkHttpClient http, URI base, Supplier<String> token, String kojiTasks, Ticker ticker,
            Duration maxAge) {
        this.http = Objects.requireNonNull(http, "http");
        this.base = Objects.requireNonNull(base, "base");
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        this.api = Objects.requireNonNull(HttpUrl.parse(root + "module-build-service/1/"),
                "the MBS url must be http or https");
        this.token = token;
        this.kojiTasks = Objects.requireNonNull(kojiTasks, "kojiTasks");
        Objects.requireNonNull(ticker, "ticker");
        this.cache = Caffeine.newBuilder().ticker(() -> nanos(ticker.now())).expireAfterWrite(maxAge)
                .maximumSize(10_000).build();
    }

    /** A client with 10 s connect and 30 s read timeouts, Fedora's Koji links, and reads shared for 5 s. */
    public static MbsClient of(URI base, Supplier<String> token, Ticker ticker) {
        // A write gets OkHttp's default 10 s, as it always did.
        OkHttpClient http = OkHttpClients.builder(Duration.ofSeconds(30), Duration.ofSeconds(10))
                .callTimeout(Duration.ofSeconds(60)).build();
        return new MbsClient(http, base, token, KOJI_TASKS, ticker, Duration.ofSeconds(5));
    }

    /** The base URL, for messages. */
    public String where() {
        return ServiceLines.where(base);
    }

    /** The link to a Koji task. */
    public String taskUrl(long taskId) {
        return kojiTasks + taskId;
    }

    /** Upstream requests made so far (cache hits are not counted). */
    public long requests() {
        return requests.get();
    }

    /** One module build, from the shared cache if another caller read it within the cache's age. */
    public ModuleBuild build(long id) {
        return cache.get(id, this::read);
    }

    /** One module build, read from MBS now; the shared cache keeps the answer. */
    public ModuleBuild fetch(long id) {
        ModuleBuild b = read(id);
        cache.put(id, b);
        return b;
    }

    private ModuleBuild read(long id) {
        HttpUrl url = api.newBuilder().addPathSegment("module-builds").addPathSegment(Long.toString(id)).build();
        return ModuleBuild.from(send(new Request.Builder().url(url).get().build(), id));
    }

    /**
     * The module builds in {@code init}, {@code wait} or {@code build}, newest first, at most {@code max}: the data
     * of {@code mbs-build overview}. Pages are followed while MBS says there are more.
     */
    public List<ModuleBuild> active(int max) {
        List<ModuleBuild> out = new ArrayList<>();
        int pages = 1;
        for (int page = 1; page <= pages && page <= MAX_PAGES && out.size() < max; page++) {
            HttpUrl url = api.newBuilder().addPathSegment("module-builds").addPathSegment("")
                    .addQueryParameter("state", "init").addQueryParameter("state", "wait")
                    .addQueryParameter("state", "build").addQueryParameter("order_desc_by", "id")
                    .addQueryParameter("per_page", Integer.toString(PER_PAGE))
                    .addQueryParameter("page", Integer.toString(page)).build();
            JsonNode body = send(new Request.Builder().url(url).get().build(), -1);
            for (JsonNode item : body.path("items")) {
                if (out.size() < max) {
                    out.add(ModuleBuild.from(item));
                }
            }
            pages = body.path("meta").path("pages").asInt(1);
        }
        return out;
    }

    /**
     * Cancels a module build ({@code PATCH} with {@code {"state":"failed"}}) and returns it as MBS answered. MBS's
     * own message is the exception's when it refuses (not in a cancellable state, not the owner).
     */
    public ModuleBuild cancel(long id) {
        String t = token == null ? null : token.get();
        if (t == null || t.isBlank()) {
            throw new MbsException(401, "no MBS token is configured (services.mbs.token_env or token_file), "
                    + "so builds cannot be cancelled from here");
        }
        HttpUrl url = api.newBuilder().addPathSegment("module-builds").addPathSegment(Long.toString(id)).build();
        Request r = new Request.Builder().url(url).header("Authorization", "Bearer " + t)
                .patch(RequestBody.create("{\"state\":\"failed\"}", JSON)).build();
        ModuleBuild b = ModuleBuild.from(send(r, id));
        cache.put(id, b);
        return b;
    }

    private JsonNode send(Request request, long id) {
        requests.incrementAndGet();
        int code;
        byte[] body;
        try (Response r = http.newCall(request).execute()) {
            code = r.code();
            try (InputStream in = r.body().byteStream()) {
                body = in.readNBytes(MAX_BODY);
            }
        } catch (IOException e) {
            throw new MbsException(ServiceLines.unreachable("MBS", base, e), e);
        }
        JsonNode json = Json.parse(body);
        if (code / 100 == 2 && json != null && json.isObject()) {
            return json;
        }
        if (code / 100 == 2) {
            throw new MbsException(code, "MBS at " + where() + " answered " + code + " with something that is not "
                    + "a JSON object");
        }
        throw new MbsException(code, error(code, json, id));
    }

    private static String error(int code, JsonNode json, long id) {
        String message = json == null ? "" : ServiceLines.cut(json.path("message").asText(""), 200);
        if (code == 404 && id >= 0) {
            return "MBS has no module build " + id + (message.isEmpty() ? "" : " (" + message + ")");
        }
        if (message.isEmpty()) {
            return "MBS answered HTTP " + code;
        }
        if (code >= 500) {
            return "MBS failed (" + code + "): " + message;
        }
        return "MBS refused (" + code + "): " + message;
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
