package org.buildduty.exec.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import org.buildduty.core.exec.CancelPoint;
import org.buildduty.core.time.Ticker;

/**
 * Performs single HTTP calls for the HTTP steps: sends the request with its credential, logs a SESSION credential in
 * when it has no cookies and again once when a call is answered 401 or 403, reads the bounded body and parses it as
 * JSON where it is JSON. Never throws for a network failure.
 */
final class Transport {
    /** Largest response body read; the rest is dropped (and such a body is not parsed). */
    static final int MAX_BODY = 4 << 20;

    private final OkHttpClient client;
    private final OkHttpClient noRedirects;
    private final Sessions sessions;
    private final Ticker ticker;

    Transport(OkHttpClient base, Ticker ticker) {
        this.ticker = ticker;
        this.sessions = new Sessions(ticker);
        this.client = base.newBuilder().addNetworkInterceptor(sessions).build();
        this.noRedirects = base.newBuilder().followRedirects(false).followSslRedirects(false).build();
    }

    /**
     * Sends {@code p}, taking at most {@code limit}; {@code info} gets a line when a session logs in. A login that
     * is refused comes back as that answer, with a reason naming the login URL.
     */
    Exchange exchange(PreparedRequest p, CancelPoint cancel, Duration limit, Consumer<String> info) {
        HttpCredential c = p.credential();
        boolean session = c != null && c.kind() == HttpCredential.Kind.SESSION;
        Instant deadline = ticker.now().plus(limit);
        for (int attempt = 0; ; attempt++) {
            long generation = 0;
            if (session) {
                Sessions.Session s = sessions.of(c);
                Exchange refused = login(c, s, cancel, remaining(deadline), info);
                if (refused != null) {
                    return refused;
                }
                generation = s.generation();
            }
            Exchange x = call(client, request(p), cancel, remaining(deadline));
            if (session && attempt == 0 && (x.status() == 401 || x.status() == 403) && !cancel.cancelled()) {
                info.accept(p.method() + " " + HttpText.url(p.url()) + " → " + x.reason() + "; logging in again");
                sessions.of(c).invalidate(generation);
                continue;
            }
            return x;
        }
    }

    private Duration remaining(Instant deadline) {
        Duration d = Duration.between(ticker.now(), deadline);
        return d.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : d;
    }

    private static Request request(PreparedRequest p) {
        RequestBody body = p.body() == null ? null : RequestBody.create(p.body(), p.contentType());
        Request.Builder b = new Request.Builder().url(p.url()).headers(p.headers()).method(p.method(), body);
        if (p.headers().get("Accept") == null) {
            b.header("Accept", "application/json");
        }
        if (p.credential() != null) {
            b.tag(HttpCredential.class, p.credential());
        }
        return b.build();
    }

    /** Logs in when the session has no cookies; null when logged in, else the failed login as an exchange. */
    private Exchange login(HttpCredential c, Sessions.Session s, CancelPoint cancel, Duration limit,
            Consumer<String> info) {
        synchronized (s.loginLock) {
            if (s.active()) {
                return null;
            }
            Request request = Sessions.loginRequest(c);
            HttpUrl url = request.url();
            Exchange x = call(noRedirects, request, cancel, limit);
            String where = "login to " + HttpText.url(url);
            if (!x.answered()) {
                return Exchange.failure(where + ": " + x.reason(), x.elapsed(), x.timedOut(), x.cancelled());
            }
            if (x.status() >= 400) {
                return new Exchange(x.status(), x.reason() + " from " + where, x.body(), x.json(), x.headers(),
                        x.elapsed(), false, false);
            }
            if (!s.loggedIn(request, x.headers(), ticker.now())) {
                return Exchange.failure(where + ": " + x.reason() + " without a session cookie", x.elapsed(), false,
                        false);
            }
            info.accept("logged in to " + HttpText.url(url) + " as " + HttpText.oneLine(c.user(), 40) + " ("
                    + x.reason() + ")");
            return null;
        }
    }

    private Exchange call(OkHttpClient with, Request request, CancelPoint cancel, Duration limit) {
        Call call = with.newCall(request);
        call.timeout().timeout(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS);
        Instant start = ticker.now();
        cancel.stopWith(call::cancel);
        try (Response r = call.execute()) {
            byte[] body;
            try (InputStream in = r.body().byteStream()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            boolean whole = body.length <= MAX_BODY;
            if (!whole) {
                body = Arrays.copyOf(body, MAX_BODY);
            }
            return new Exchange(r.code(), HttpText.status(r.code(), r.message()), body,
                    whole ? Json.parse(body) : null, r.headers(), elapsed(start), false, false);
        } catch (IOException e) {
            boolean cancelled = cancel.cancelled();
            boolean timedOut = !cancelled && e instanceof InterruptedIOException
                    && !(e instanceof SocketTimeoutException);
            return Exchange.failure(HttpText.ioReason(e, cancelled), elapsed(start), timedOut, cancelled);
        } catch (RuntimeException e) {
            return Exchange.failure("cannot send the request (" + e.getClass().getSimpleName() + ")", elapsed(start),
                    false, cancel.cancelled());
        } finally {
            cancel.clear();
        }
    }

    private Duration elapsed(Instant start) {
        return Duration.between(start, ticker.now());
    }
}
