package org.buildduty.app.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import io.javalin.http.Context;

/**
 * The read token: with one configured, every page but {@code /healthz} and {@code /static/} needs
 * {@code Authorization: Bearer <token>} or the session cookie set by visiting once with {@code ?token=<token>} (which
 * then redirects to the same address without it). The cookie holds an opaque session id ({@link Sessions}), never the
 * token; it is {@code HttpOnly}, {@code SameSite=Strict}, and {@code Secure} when the page's public URL is https.
 * Tokens are compared in constant time, as SHA-256 digests.
 */
final class TokenGate {
    static final String COOKIE = "buildduty_session";

    private final Optional<byte[]> digest;
    private final Sessions sessions;
    private final boolean secure;

    TokenGate(Optional<String> token, Sessions sessions, boolean secure) {
        this.digest = token.filter(t -> !t.isEmpty()).map(TokenGate::sha256);
        this.sessions = sessions;
        this.secure = secure;
    }

    boolean enabled() {
        return digest.isPresent();
    }

    /** True when the request may go on; otherwise the answer (401, or the redirect that sets the cookie) is set. */
    boolean admit(Context ctx) {
        if (digest.isEmpty() || ctx.path().equals("/healthz") || ctx.path().startsWith("/static/")) {
            return true;
        }
        String query = ctx.queryParam("token");
        if (query != null) {
            if (!matches(query)) {
                refuse(ctx);
                return false;
            }
            ctx.header("Set-Cookie", COOKIE + "=" + sessions.open() + "; Path=/; Max-Age="
                    + sessions.maxAge().toSeconds() + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : ""));
            ctx.header("Location", withoutToken(ctx));
            ctx.status(303);
            return false;
        }
        if (authorized(ctx)) {
            return true;
        }
        refuse(ctx);
        return false;
    }

    /** True without a configured token, or for a request with the token or a live session cookie. */
    boolean authorized(Context ctx) {
        if (digest.isEmpty()) {
            return true;
        }
        String auth = ctx.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && matches(auth.substring(7).strip())) {
            return true;
        }
        return sessions.valid(ctx.cookie(COOKIE));
    }

    private boolean matches(String candidate) {
        return MessageDigest.isEqual(digest.orElseThrow(), sha256(candidate));
    }

    private static void refuse(Context ctx) {
        ctx.status(401).header("WWW-Authenticate", "Bearer realm=\"buildduty\"")
                .contentType("text/plain; charset=utf-8")
                .result("401: this page needs the read token (Authorization: Bearer, or ?token= once)\n");
    }

    /** The request's path and query, without {@code token}. */
    private static String withoutToken(Context ctx) {
        StringJoiner q = new StringJoiner("&");
        for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
            if (e.getKey().equals("token")) {
                continue;
            }
            for (String v : e.getValue()) {
                q.add(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
        return ctx.path() + (q.length() == 0 ? "" : "?" + q);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
