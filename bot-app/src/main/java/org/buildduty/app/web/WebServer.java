package org.buildduty.app.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.commands.runbook.Runbook;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;

/**
 * The status page, {@code /healthz} and {@code /metrics}, served by Javalin (Jetty 12) on one address.
 *
 * <p>Routes: {@code /} (operations, live ones first, then newest first, filtered by the query string and paged by
 * {@code ?before=<id>}: {@link IndexPage}), {@code /runbooks} (the runbooks loaded now and their last runs:
 * {@link RunbooksPage}), {@code /ops/<id>} (one operation; {@code ?host=} and {@code ?failed=1} narrow its output, see
 * {@link LineFilter}), {@code /ops/<id>/events} (its output and state as server-sent events), {@code /ops/<id>/log}
 * (its output as plain text, same filters), {@code /healthz}, {@code /metrics} and {@code /static/*} (the page's own
 * CSS and JS). Every text from the journal is redacted with the engine's secrets and HTML-escaped; nothing is loaded
 * from elsewhere (the
 * Content-Security-Policy says {@code default-src 'self'}). Without a token only the expected {@code Host} values are
 * served ({@link HostCheck}, against DNS rebinding); with one, {@code /healthz} tells a request without it only
 * {@code ok} or {@code failing}.
 *
 * <pre>{@code
 * try (WebServer web = WebServer.start(WebServer.Settings.of("127.0.0.1", 0), engine)) {
 *     System.out.println("web page on " + web.baseUrl() + "/");
 * }
 * }</pre>
 */
public final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    private static final Map<String, String> STATIC = Map.of(
            "ops.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    private final Javalin app;
    private final String host;
    private final CountDownLatch closing;

    /**
     * Where and how the server runs.
     *
     * @param host       the address to bind, e.g. {@code 127.0.0.1}
     * @param port       the port; 0 picks a free one (see {@link WebServer#port()})
     * @param token      the read token every page but {@code /healthz} needs, if any
     * @param poll       how often a live stream looks at the journal
     * @param heartbeat  how long a live stream may stay silent before a keep-alive comment
     * @param maxStreams live streams open at once; more get 503
     * @param sleeper    how a live stream waits between polls
     * @param publicUrl  {@code bot.web_url}, if set: its host is a {@code Host} the page answers to, and an https
     *                   URL makes the session cookie {@code Secure}
     * @param ticker     the clock sessions expire by
     */
    public record Settings(String host, int port, Optional<String> token, Duration poll, Duration heartbeat,
            int maxStreams, Sleeper sleeper, Optional<URI> publicUrl, Ticker ticker) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(publicUrl, "publicUrl");
            Objects.requireNonNull(ticker, "ticker");
            Objects.requireNonNull(poll, "poll");
            Objects.requireNonNull(heartbeat, "heartbeat");
            Objects.requireNonNull(sleeper, "sleeper");
            if (maxStreams < 1) {
                throw new IllegalArgumentException("maxStreams must be at least 1: " + maxStreams);
            }
        }

        /** No token, a 250 ms poll, a 15 s heartbeat, 64 streams, real sleeps, no public URL, the system clock. */
        public static Settings of(String host, int port) {
            return new Settings(host, port, Optional.empty(), Duration.ofMillis(250), Duration.ofSeconds(15), 64,
                    Sleeper.system(), Optional.empty(), Ticker.system());
        }

        public Settings withToken(String t) {
            return new Settings(host, port, Optional.ofNullable(t), poll, heartbeat, maxStreams, sleeper, publicUrl,
                    ticker);
        }

        public Settings withPoll(Duration p, Duration beat) {
            return new Settings(host, port, token, p, beat, maxStreams, sleeper, publicUrl, ticker);
        }

        public Settings withMaxStreams(int n) {
            return new Settings(host, port, token, poll, heartbeat, n, sleeper, publicUrl, ticker);
        }

        public Settings withPublicUrl(URI url) {
            return new Settings(host, port, token, poll, heartbeat, maxStreams, sleeper, Optional.ofNullable(url),
                    ticker);
        }

        public Settings withTicker(Ticker t) {
            return new Settings(host, port, token, poll, heartbeat, maxStreams, sleeper, publicUrl, t);
        }

        /** The address as written in the configuration: {@code host:port}, {@code [v6]:port}. */
        String address() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private WebServer(Javalin app, String host, CountDownLatch closing) {
        this.app = app;
        this.host = host;
        this.closing = closing;
    }

    /**
     * Binds and starts serving; a failure to bind throws {@link BuilddutyException} with one line, e.g.
     * {@code bot.web: 127.0.0.1:8080: address already in use}.
     */
    public static WebServer start(Settings settings, Engine engine) {
        return start(settings, engine, id -> Optional.empty());
    }

    /**
     * The same, the operation page saying when an operation's output was pruned: {@code pruned} gives
     * {@code <instant> <rule>} ({@code 2026-12-05T06:00:00Z retention 90d}) for such an operation.
     */
    public static WebServer start(Settings settings, Engine engine, Function<OperationId, Optional<String>> pruned) {
        return start(settings, engine, pruned, List::of);
    }

    /**
     * The same, {@code /runbooks} listing what {@code runbooks} gives at each request (the bot's current runbooks,
     * which a live reload replaces).
     */
    public static WebServer start(Settings settings, Engine engine, Function<OperationId, Optional<String>> pruned,
            Supplier<List<Runbook>> runbooks) {
        CountDownLatch closing = new CountDownLatch(1);
        boolean secure = settings.publicUrl().map(u -> "https".equalsIgnoreCase(u.getScheme())).orElse(false);
        TokenGate gate = new TokenGate(settings.token(), new Sessions(settings.ticker(), Sessions.MAX_AGE,
                Sessions.MAX), secure);
        AtomicReference<Javalin> started = new AtomicReference<>();
        HostCheck hosts = new HostCheck(settings.host(), settings.publicUrl(), () -> started.get().port());
        IndexPage index = new IndexPage(engine, runbooks);
        RunbooksPage runbooksPage = new RunbooksPage(engine, runbooks);
        OperationPage opPage = new OperationPage(engine, pruned);
        LogStreams logs = new LogStreams(engine, settings.sleeper(), settings.poll(), settings.heartbeat(),
                settings.maxStreams(), closing);
        Probes probes = new Probes(engine);
        Javalin app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.routes.before(ctx -> {
                ctx.header("Content-Security-Policy", "default-src 'self'");
                ctx.header("X-Content-Type-Options", "nosniff");
                ctx.header("Referrer-Policy", "no-referrer");
                ctx.header("X-Frame-Options", "DENY");
                if (!ctx.path().startsWith("/static/")) {
                    ctx.header("Cache-Control", "no-store");
                }
                // without a token, the Host check keeps a rebound name from reading the page; with one, the token does
                if ((!gate.enabled() && !hosts.admit(ctx)) || !gate.admit(ctx)) {
                    ctx.skipRemainingHandlers();
                }
            });
            cfg.routes.get("/", ctx -> ctx.html(index.render(IndexPage.Filters.read(ctx::queryParam))));
            cfg.routes.get("/runbooks", ctx -> ctx.html(runbooksPage.render()));
            cfg.routes.get("/ops/{id}", ctx -> find(ctx, engine, pruned).ifPresent(op -> ctx.html(opPage.render(op,
                    LineFilter.of(ctx)))));
            cfg.routes.get("/ops/{id}/events", ctx -> {
                Optional<OperationRecord> op = find(ctx, engine, pruned);
                if (op.isPresent()) {
                    logs.events(ctx, op.get(), LineFilter.of(ctx));
                }
            });
            cfg.routes.get("/ops/{id}/log", ctx -> {
                Optional<OperationRecord> op = find(ctx, engine, pruned);
                if (op.isPresent()) {
                    logs.log(ctx, op.get(), LineFilter.of(ctx));
                }
            });
            cfg.routes.get("/healthz", ctx -> probes.health(ctx, gate.authorized(ctx)));
            cfg.routes.get("/metrics", probes::metrics);
            cfg.routes.get("/static/{name}", WebServer::staticFile);
            cfg.routes.error(404, ctx -> {
                String why = ctx.attribute("notFound");
                ctx.html(Html.notFound(why != null ? why : "nothing is at " + ctx.path()));
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.warn("web: {} {} failed", ctx.method(), ctx.path(), e);
                ctx.status(500).contentType("text/plain; charset=utf-8").result("internal error; see the bot's log\n");
            });
        });
        started.set(app);
        try {
            app.start(settings.host(), settings.port());
        } catch (RuntimeException e) {
            stopQuietly(app);
            throw new BuilddutyException("bot.web: " + settings.address() + ": " + bindProblem(e), e);
        }
        return new WebServer(app, settings.host(), closing);
    }

    /** The port it listens on (the chosen one when configured as 0). */
    public int port() {
        return app.port();
    }

    /** {@code http://host:port}, for links. */
    public String baseUrl() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** Ends the live streams, then stops Jetty. */
    @Override
    public void close() {
        closing.countDown();
        stopQuietly(app);
    }

    private static void stopQuietly(Javalin app) {
        try {
            app.stop();
        } catch (RuntimeException e) {
            LOG.warn("stopping the web server failed", e);
        }
    }

    /**
     * The operation the path names; otherwise 404 is set and empty returned, saying when it was pruned if retention
     * removed it ({@code operation #12 was pruned on 2026-12-05 (retention 90d)}).
     */
    private static Optional<OperationRecord> find(Context ctx, Engine engine,
            Function<OperationId, Optional<String>> pruned) {
        String raw = ctx.pathParam("id");
        Optional<OperationId> id = OperationId.parse(raw);
        Optional<OperationRecord> op = id.flatMap(i -> engine.api().history().operation(i));
        if (op.isEmpty()) {
            String name = "operation " + (raw.startsWith("#") ? raw : "#" + raw);
            Optional<String> when = id.flatMap(pruned);
            ctx.attribute("notFound", when.isEmpty() ? "there is no " + name : name + " was pruned on "
                    + when.get().substring(0, Math.min(10, when.get().length()))
                    + (when.get().indexOf(' ') > 0 ? " (" + when.get().substring(when.get().indexOf(' ') + 1) + ")"
                            : "") + ": ended operations older than bot.retention.keep are removed with their output");
            ctx.status(404);
        }
        return op;
    }

    /** {@code ?before=<id>}; anything else means the newest page. */
    static long before(String q) {
        return OperationId.parse(q == null ? "" : q).map(OperationId::value).orElse(Long.MAX_VALUE);
    }

    private static void staticFile(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        String type = STATIC.get(name);
        if (type == null) {
            ctx.status(404);
            return;
        }
        try (InputStream in = WebServer.class.getResourceAsStream("static/" + name)) {
            if (in == null) {
                ctx.status(404);
                return;
            }
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    private static String bindProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("already in use")) {
                return "address already in use";
            }
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
