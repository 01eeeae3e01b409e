package org.buildduty.exec.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.core.JsonProcessingException;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;

import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.param.Bindings;
import org.buildduty.core.param.Escapes;

/**
 * One request with every placeholder bound, ready to send: the URL with values percent-encoded, header values as
 * they are (never with a line break), a string body with values JSON-escaped (and checked to be JSON), a mapping body
 * serialized after binding its string leaves, and the credential checked against the URL.
 *
 * @param body the bytes to send, or null for none
 * @param credential the credential to send, or null
 */
record PreparedRequest(String method, HttpUrl url, Headers headers, byte[] body, MediaType contentType,
        HttpCredential credential) {
    private static final MediaType JSON = MediaType.parse("application/json; charset=utf-8");

    /**
     * Binds the arguments of {@code request}.
     *
     * @throws IllegalArgumentException with a one-line, chat-safe reason when the bound request is not sendable
     */
    static PreparedRequest of(HttpArgs args, ExecRequest request, HttpCredentials credentials) {
        requireValues(args.url, request, "url");
        args.headers.forEach((k, v) -> requireValues(v, request, "header " + k));
        Json.bindLeaves(args.body, s -> {
            requireValues(s, request, "body");
            return s;
        });
        String boundUrl = request.bind(args.url, value -> {
            if (Escapes.isDotSegment(value)) {
                throw new IllegalArgumentException("a value bound into the url " + Escapes.DOT_SEGMENT_RULE);
            }
            return Escapes.url(value);
        });
        HttpUrl url = HttpUrl.parse(boundUrl);
        if (url == null) {
            throw new IllegalArgumentException("url is not a valid http or https URL after substitution: "
                    + HttpText.oneLine(boundUrl.replaceAll("//[^/@]*@", "//"), 120));
        }
        Headers.Builder headers = new Headers.Builder();
        MediaType type = JSON;
        for (Map.Entry<String, String> h : args.headers.entrySet()) {
            String value = request.bind(h.getValue(), UnaryOperator.identity());
            if (HttpArgs.badHeaderValue(value)) {
                throw new IllegalArgumentException("header " + h.getKey()
                        + " holds a line break or NUL after substitution");
            }
            if (h.getKey().equalsIgnoreCase("Content-Type")) {
                MediaType t = MediaType.parse(value);
                if (t == null) {
                    throw new IllegalArgumentException("header Content-Type is not a media type");
                }
                type = t;
            }
            headers.add(h.getKey(), value);
        }
        byte[] body = body(args, request);
        if (body == null && (args.method.equals("POST") || args.method.equals("PUT")
                || args.method.equals("PATCH"))) {
            body = new byte[0];
        }
        HttpCredential credential = null;
        if (args.auth != null) {
            credential = credentials.get(args.auth).orElseThrow(() -> new IllegalArgumentException(
                    "unknown credential " + args.auth));
            if (!credential.covers(url.uri())) {
                throw new IllegalArgumentException("credential " + credential.name() + " is for "
                        + credential.baseUrl() + ", not " + HttpText.origin(url));
            }
            String secret = credential.secret().get();
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("credential " + credential.name() + " has no secret (is its"
                        + " environment variable set?)");
            }
            if (HttpArgs.badHeaderValue(secret) || credential.user() != null
                    && HttpArgs.badHeaderValue(credential.user())) {
                throw new IllegalArgumentException("credential " + credential.name() + " holds a line break or NUL");
            }
        }
        return new PreparedRequest(args.method, url, headers.build(), body, type, credential);
    }

    /** Refuses a template with a placeholder that has no value now (a value an earlier step should have kept). */
    private static void requireValues(String template, ExecRequest request, String where) {
        List<String> missing = new ArrayList<>();
        Bindings.bind(template, name -> {
            boolean known = name.equals(Bindings.OPERATION)
                    || name.equals(Bindings.HOST) && request.host() != null
                    || request.vars().containsKey(name);
            if (!known) {
                missing.add(name);
            }
            return null;
        });
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no value for {{" + missing.get(0) + "}} in the " + where
                    + " (no earlier step kept it)");
        }
    }

    private static byte[] body(HttpArgs args, ExecRequest request) {
        if (args.body == null) {
            return null;
        }
        if (args.body instanceof String template) {
            String text = request.bind(template, Escapes::json);
            if (!Json.isJson(text)) {
                throw new IllegalArgumentException("body is not valid JSON after substitution");
            }
            return text.getBytes(StandardCharsets.UTF_8);
        }
        Object bound = Json.bindLeaves(args.body, s -> request.bind(s, UnaryOperator.identity()));
        try {
            return Json.MAPPER.writeValueAsBytes(bound);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body cannot be written as JSON: " + e.getOriginalMessage());
        }
    }
}
