package org.buildduty.exec.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import okhttp3.Cookie;
import okhttp3.Credentials;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

import org.buildduty.core.time.Ticker;

/**
 * Sends credentials on the wire: a network interceptor that adds a request's credential (its tag) to each hop under
 * the credential's base URL, and strips authorization and cookies from a hop that a redirect took elsewhere. It also
 * holds the session cookies of SESSION credentials, one jar per credential, shared by all operations.
 *
 * <p>Public so other Buildbot-speaking code (the {@code buildbot} executor's client) shares this handling: add it as a
 * network interceptor, tag each request with its {@link HttpCredential}, and log in with {@link Session#replace}.
 *
 * <pre>{@code
 * Sessions sessions = new Sessions(ticker);
 * OkHttpClient http = base.newBuilder().addNetworkInterceptor(sessions).build();
 * Request r = new Request.Builder().url(url).tag(HttpCredential.class, credential).build();
 * }</pre>
 */
public final class Sessions implements Interceptor {
    private final Map<String, Session> byCredential = new ConcurrentHashMap<>();
    private final Ticker ticker;

    /** Sessions whose cookie expiry is judged by {@code ticker}. */
    public Sessions(Ticker ticker) {
        this.ticker = ticker;
    }

    /** A SESSION credential's login: {@code GET} its login URL with Basic auth (Buildbot's {@code /auth/login}). */
    public static Request loginRequest(HttpCredential c) {
        HttpUrl url = Objects.requireNonNull(HttpUrl.parse(c.loginUrl().toString()), "loginUrl");
        String secret = Objects.requireNonNullElse(c.secret().get(), "");
        return new Request.Builder().url(url).get()
                .header("Authorization", Credentials.basic(c.user(), secret, StandardCharsets.UTF_8)).build();
    }

    /** The cookie jar of credential {@code c} (created empty on first use). */
    public Session of(HttpCredential c) {
        return byCredential.computeIfAbsent(c.name() + "\n" + c.user() + "\n" + c.loginUrl() + "\n" + c.baseUrl(),
                k -> new Session());
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        HttpCredential c = request.tag(HttpCredential.class);
        if (c == null) {
            return chain.proceed(request);
        }
        if (!c.covers(request.url().uri())) {
            return chain.proceed(request.newBuilder().removeHeader("Authorization").removeHeader("Cookie").build());
        }
        Request.Builder b = request.newBuilder();
        String secret = Objects.requireNonNullElse(c.secret().get(), "");
        switch (c.kind()) {
            case BEARER:
                b.header("Authorization", "Bearer " + secret);
                break;
            case BASIC:
                b.header("Authorization", Credentials.basic(c.user(), secret, StandardCharsets.UTF_8));
                break;
            default:
                String cookies = of(c).header();
                if (!cookies.isEmpty()) {
                    String given = request.header("Cookie");
                    b.header("Cookie", given == null ? cookies : given + "; " + cookies);
                }
        }
        Response response = chain.proceed(b.build());
        if (c.kind() == HttpCredential.Kind.SESSION) {
            List<Cookie> set = Cookie.parseAll(request.url(), response.headers());
            if (!set.isEmpty()) {
                of(c).absorb(set, ticker.now());
            }
        }
        return response;
    }

    /** The cookies of one SESSION credential: the last value set for each name. */
    public static final class Session {
        /** Held while logging in, so parallel steps log in once. */
        final Object loginLock = new Object();
        private final Map<String, String> cookies = new LinkedHashMap<>();
        private long generation;

        /** The lock to hold while logging in, so parallel callers log in once. */
        public Object loginLock() {
            return loginLock;
        }

        /** True while the jar holds cookies (a session is believed to be logged in). */
        public synchronized boolean active() {
            return !cookies.isEmpty();
        }

        /** Counts logins and invalidations, so a stale failure does not drop a newer session. */
        public synchronized long generation() {
            return generation;
        }

        /** {@code a=1; b=2}, or empty. */
        public synchronized String header() {
            return cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; "));
        }

        /** Starts a new session with these cookies (a later one of the same name wins). */
        /**
         * Takes the cookies a login answer set (the last of a name wins, as Buildbot sets an anonymous session
         * first); false, and nothing changes, when it set none.
         */
        public boolean loggedIn(Request login, Headers answer, Instant now) {
            List<Cookie> cookies = Cookie.parseAll(login.url(), answer);
            if (cookies.isEmpty()) {
                return false;
            }
            replace(cookies, now);
            return true;
        }

        public synchronized void replace(List<Cookie> set, Instant now) {
            cookies.clear();
            generation++;
            absorb(set, now);
        }

        /** Takes cookies a response set: new values replace old ones, expired ones are dropped. */
        public synchronized void absorb(List<Cookie> set, Instant now) {
            for (Cookie cookie : set) {
                cookies.remove(cookie.name());
                if (!cookie.persistent() || cookie.expiresAt() > now.toEpochMilli()) {
                    cookies.put(cookie.name(), cookie.value());
                }
            }
        }

        /** Forgets the cookies, unless another run already logged in again since {@code seen}. */
        public synchronized void invalidate(long seen) {
            if (generation == seen) {
                cookies.clear();
                generation++;
            }
        }
    }
}
