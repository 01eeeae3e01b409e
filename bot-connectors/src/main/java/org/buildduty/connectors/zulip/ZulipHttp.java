package org.buildduty.connectors.zulip;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.jamesnetherton.zulip.client.api.core.ZulipApiResponse;
import com.github.jamesnetherton.zulip.client.exception.ZulipClientException;
import com.github.jamesnetherton.zulip.client.http.ZulipHttpClient;
import com.github.jamesnetherton.zulip.client.util.JsonUtils;
import okhttp3.Call;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import org.buildduty.core.time.Ticker;
import org.buildduty.exec.http.OkHttpClients;
import org.buildduty.exec.http.RetryAfter;

/**
 * The one HTTP path to the Zulip server, on OkHttp: Basic auth in the Authorization header (never in a URL),
 * form-encoded bodies, and every error turned into a {@link ZulipError} with status, code and a float
 * {@code retry-after}. It is also the transport of the Java client ({@link ZulipHttpClient}), whose own transport
 * hides 401s and parses {@code X-RateLimit-Reset} as an integer.
 */
final class ZulipHttp implements ZulipHttpClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER_AGENT = "buildduty/0.1 (ChatOps bot)";
    /** The longest {@code retry-after} honoured. */
    private static final Duration LONGEST_WAIT = Duration.ofHours(1);

    private final HttpUrl base;
    private final String auth;
    private final OkHttpClient client;
    private final Ticker ticker;
    private final Set<Call> running = ConcurrentHashMap.newKeySet();

    ZulipHttp(ZulipConfig cfg, Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        String site = cfg.site().toString();
        this.base = HttpUrl.get(site.endsWith("/") ? site : site + "/").resolve("api/v1/");
        this.auth = "Basic " + Base64.getEncoder().encodeToString(
                (cfg.email() + ":" + cfg.apiKey()).getBytes(StandardCharsets.UTF_8));
        this.client = OkHttpClients.builder(Duration.ofSeconds(30), Duration.ofSeconds(30)).build();
    }

    /** Calls {@code <site>/api/v1/<path>}; GET and DELETE put the parameters in the query, others in a form. */
    JsonNode call(String method, String path, Map<String, String> params) throws ZulipError {
        return call(method, path, params, null);
    }

    /** As {@link #call(String, String, Map)}, with a read timeout of its own (the events long poll). */
    JsonNode call(String method, String path, Map<String, String> params, Duration readTimeout) throws ZulipError {
        String text = exchange(method, path, params, readTimeout);
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ZulipError(200, null, "the answer to " + path + " is not JSON", null, null);
        }
    }

    private String exchange(String method, String path, Map<String, String> params, Duration readTimeout)
            throws ZulipError {
        HttpUrl url = base.resolve(path);
        if (url == null) {
            throw new IllegalArgumentException("bad API path " + path);
        }
        RequestBody body = null;
        if (method.equals("GET") || method.equals("DELETE")) {
            HttpUrl.Builder ub = url.newBuilder();
            params.forEach(ub::addQueryParameter);
            url = ub.build();
        } else {
            FormBody.Builder fb = new FormBody.Builder(StandardCharsets.UTF_8);
            params.forEach(fb::add);
            body = fb.build();
        }
        Request request = new Request.Builder().url(url).method(method, body).header("Authorization", auth)
                .header("User-Agent", USER_AGENT).build();
        OkHttpClient c = readTimeout == null ? client
                : client.newBuilder().readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS).build();
        Call call = c.newCall(request);
        running.add(call);
        try (Response response = call.execute()) {
            String text = response.body().string();
            if (response.code() >= 200 && response.code() < 300) {
                return text;
            }
            throw error(response, text);
        } catch (IOException e) {
            throw new ZulipError(0, null, method + " " + path + ": " + e, null, e);
        } finally {
            running.remove(call);
        }
    }

    private ZulipError error(Response response, String text) {
        int status = response.code();
        JsonNode node = null;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // not JSON (a proxy's error page): status only
        }
        String code = node != null && node.hasNonNull("code") ? node.get("code").asText() : null;
        String msg = node != null && node.hasNonNull("msg") ? node.get("msg").asText()
                : "unexpected answer (" + text.length() + " bytes, not Zulip JSON)";
        Optional<Duration> asked = RetryAfter.seconds(node == null ? null : node.get("retry-after"));
        if (asked.isEmpty()) {
            asked = RetryAfter.parse(response.header("Retry-After"), ticker.now());
        }
        Duration retry = asked.map(d -> d.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : d).orElse(null);
        return new ZulipError(status, code, msg, retry, null);
    }

    /** Aborts the calls in flight (the blocked long poll), for a quick close. */
    void cancelAll() {
        running.forEach(Call::cancel);
    }

    // The Java client's transport. Its request classes give the path below api/v1 and their parameters.

    @Override
    public <T extends ZulipApiResponse> T get(String path, Map<String, Object> parameters, Class<T> responseAs)
            throws ZulipClientException {
        return typed("GET", path, parameters, responseAs);
    }

    @Override
    public <T extends ZulipApiResponse> T delete(String path, Map<String, Object> parameters, Class<T> responseAs)
            throws ZulipClientException {
        return typed("DELETE", path, parameters, responseAs);
    }

    @Override
    public <T extends ZulipApiResponse> T patch(String path, Map<String, Object> parameters, Class<T> responseAs)
            throws ZulipClientException {
        return typed("PATCH", path, parameters, responseAs);
    }

    @Override
    public <T extends ZulipApiResponse> T post(String path, Map<String, Object> parameters, Class<T> responseAs)
            throws ZulipClientException {
        return typed("POST", path, parameters, responseAs);
    }

    @Override
    public <T extends ZulipApiResponse> T upload(String path, File file, Class<T> responseAs)
            throws ZulipClientException {
        throw new ZulipClientException("uploads are not used by buildduty");
    }

    private <T extends ZulipApiResponse> T typed(String method, String path, Map<String, Object> parameters,
            Class<T> responseAs) throws ZulipClientException {
        Map<String, String> params = new LinkedHashMap<>();
        if (parameters != null) {
            parameters.forEach((k, v) -> {
                if (v != null) {
                    params.put(k, v.toString());
                }
            });
        }
        String text = exchange(method, path, params, null);
        try {
            T response = JsonUtils.getMapper().readValue(text, responseAs);
            if (!response.isSuccess() && !response.isPartiallyCompleted()) {
                throw new ZulipError(200, response.getResponseCode(), response.getResponseMessage(), null, null);
            }
            return response;
        } catch (JsonProcessingException e) {
            throw new ZulipError(200, null, "the answer to " + path + " is not JSON", null, e);
        }
    }

    @Override
    public void close() {
        cancelAll();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
