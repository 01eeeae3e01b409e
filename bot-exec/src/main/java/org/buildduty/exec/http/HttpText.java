package org.buildduty.exec.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import okhttp3.HttpUrl;

import org.buildduty.core.time.Durations;

/** The texts HTTP steps show: redacted URLs, status lines, body excerpts and I/O reasons. */
final class HttpText {
    /** Longest body excerpt shown. */
    static final int EXCERPT = 300;
    /** Longest URL shown. */
    static final int URL = 200;

    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(token|key|pass|secret|auth|sig|session|credential|code).*");
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(201, "Created"), Map.entry(202, "Accepted"),
            Map.entry(204, "No Content"), Map.entry(301, "Moved Permanently"), Map.entry(302, "Found"),
            Map.entry(303, "See Other"), Map.entry(304, "Not Modified"), Map.entry(307, "Temporary Redirect"),
            Map.entry(308, "Permanent Redirect"), Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(406, "Not Acceptable"), Map.entry(408, "Request Timeout"), Map.entry(409, "Conflict"),
            Map.entry(410, "Gone"), Map.entry(412, "Precondition Failed"), Map.entry(413, "Content Too Large"),
            Map.entry(415, "Unsupported Media Type"), Map.entry(422, "Unprocessable Entity"),
            Map.entry(429, "Too Many Requests"), Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"), Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"));

    private HttpText() {
    }

    /**
     * The URL for a chat line: no user info, and the values of query parameters whose names look secret
     * ({@code token}, {@code api_key}, {@code password}, ...) replaced by {@code ***}; cut to {@value #URL} chars.
     */
    static String url(HttpUrl url) {
        HttpUrl.Builder b = url.newBuilder().username("").password("").query(null);
        for (int i = 0; i < url.querySize(); i++) {
            String name = url.queryParameterName(i);
            String value = url.queryParameterValue(i);
            b.addQueryParameter(name, value == null ? null : SECRET_KEY.matcher(name).matches() ? "***" : value);
        }
        return cut(b.build().toString(), URL);
    }

    /** The origin and path of a URL (no query), for messages. */
    static String origin(HttpUrl url) {
        return url.scheme() + "://" + url.host() + ":" + url.port() + url.encodedPath();
    }

    /** {@code 404 Not Found}: the standard phrase where known, else the server's (made safe), else the code. */
    static String status(int code, String message) {
        String known = REASONS.get(code);
        if (known != null) {
            return code + " " + known;
        }
        String safe = message == null ? "" : oneLine(message, 40);
        return safe.isEmpty() ? Integer.toString(code) : code + " " + safe;
    }

    /** The start of a response body as one safe line, at most {@value #EXCERPT} characters. */
    static String excerpt(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        int n = Math.min(body.length, EXCERPT * 4);
        return oneLine(new String(body, 0, n, StandardCharsets.UTF_8), EXCERPT);
    }

    /** Text on one line: control and format characters become spaces, runs of spaces one, cut to {@code max}. */
    static String oneLine(String s, int max) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max + 1));
        boolean space = false;
        for (int i = 0; i < s.length() && sb.length() <= max; i++) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            boolean blank = Character.isWhitespace(c) || Character.isISOControl(c) || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                    || Character.isSurrogate(c) && !validSurrogate(s, i);
            if (blank) {
                space = sb.length() > 0;
            } else {
                if (space) {
                    sb.append(' ');
                    space = false;
                }
                sb.append(c);
            }
        }
        return cut(sb.toString(), max);
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** Why a call failed, in a few words: {@code connection refused}, {@code timed out}, {@code unknown host x}. */
    static String ioReason(IOException e, boolean cancelled) {
        if (cancelled) {
            return "cancelled";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + oneLine(String.valueOf(e.getMessage()), 80);
        }
        if (e instanceof SocketTimeoutException) {
            return "timed out waiting for the server";
        }
        if (e instanceof InterruptedIOException) {
            return "timed out";
        }
        if (e instanceof SSLException) {
            return "TLS error: " + oneLine(String.valueOf(e.getMessage()), 120);
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + oneLine(m, 120));
    }

    /** {@code 0.5s}, {@code 2s}, {@code 1m 30s}. */
    static String seconds(Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms >= 60_000) {
            return Durations.format(d);
        }
        return number(ms) + "s";
    }

    /** Milliseconds as seconds: {@code 500} gives {@code 0.5}, {@code 2000} gives {@code 2}. */
    static String number(long ms) {
        if (ms % 1000 == 0) {
            return Long.toString(ms / 1000);
        }
        String s = String.format(Locale.ROOT, "%.3f", ms / 1000.0);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
