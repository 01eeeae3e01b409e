package org.buildduty.commands.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

import org.buildduty.core.time.Ticker;
import org.buildduty.exec.testing.LoopbackHttp;

/**
 * A Module Build Service on 127.0.0.1 that follows the MBS contract (../shared/contracts §1): module builds in the
 * default, verbose and short forms with {@code tasks.rpms} (no {@code state_name} there), the list endpoint with
 * state filters, pagination and absolute {@code meta} links, cancel by {@code PATCH} with a Bearer token, and the
 * {@code {status, error, message}} error shape for every refusal. Builds step through their states over time: a
 * change scheduled with {@link FakeBuild#at} is applied once the injected ticker passes its time.
 *
 * <p>Faults: {@link #failNext} answers 5xx, {@link #stallNext} holds answers past a client's timeout. Counts of
 * upstream reads per build let tests and benchmarks check polling is shared.
 */
public final class FakeMbs implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PATHS = Set.of("module-builds", "component-builds", "about");

    private final MockWebServer server = new MockWebServer();
    private final Ticker ticker;
    private final String token;
    private final Map<Long, FakeBuild> builds = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> reads = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(570);
    private final AtomicLong nextTask = new AtomicLong(20_000_000);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failStatus = 500;
    private final AtomicInteger stalls = new AtomicInteger();
    private volatile Duration stall = Duration.ZERO;
    private final List<String> patches = Collections.synchronizedList(new ArrayList<>());

    private FakeMbs(Ticker ticker, String token) {
        this.ticker = ticker;
        this.token = token;
    }

    /** Starts a fake whose builds move with {@code ticker}; {@code token} is the only Bearer token it accepts. */
    public static FakeMbs start(Ticker ticker, String token) throws IOException {
        FakeMbs f = new FakeMbs(ticker, token);
        LoopbackHttp.start(f.server, f::answer);
        return f;
    }

    /** The base URL, as configured in {@code services.mbs.url}. */
    public URI url() {
        return server.url("/").uri();
    }

    /** A new build in state {@code wait}, its components not yet submitted to Koji. */
    public FakeBuild submit(String name, String stream, String owner, String... packages) {
        FakeBuild b = new FakeBuild(nextId.getAndIncrement(), name, stream, owner, ticker.now(), packages);
        builds.put(b.id, b);
        return b;
    }

    /** Every request answered so far. */
    public int requests() {
        return requests.get();
    }

    /** Reads ({@code GET module-builds/<id>}) of one build so far. */
    public int reads(long id) {
        AtomicInteger n = reads.get(id);
        return n == null ? 0 : n.get();
    }

    /** Bodies of the PATCH requests received, in order. */
    public List<String> patches() {
        synchronized (patches) {
            return List.copyOf(patches);
        }
    }

    /** The next {@code count} requests are answered {@code status} with MBS's error shape. */
    public void failNext(int count, int status) {
        this.failStatus = status;
        failures.set(count);
    }

    /** The next {@code count} requests are answered only after {@code delay} (past a client's read timeout). */
    public void stallNext(int count, Duration delay) {
        this.stall = delay;
        stalls.set(count);
    }

    @Override
    public void close() {
        server.close();
    }

    private MockResponse answer(RecordedRequest r) {
        requests.incrementAndGet();
        if (stalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            try {
                Thread.sleep(stall.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return error(failStatus, failStatus == 503 ? "Service Unavailable" : "Internal Server Error",
                    "The server encountered an internal error and was unable to complete your request.");
        }
        HttpUrl url = r.getUrl();
        List<String> seg = url.pathSegments();
        if (seg.size() < 3 || !seg.get(0).equals("module-build-service") || !PATHS.contains(seg.get(2))) {
            return error(404, "Not Found", "The requested URL was not found on the server.");
        }
        if (!seg.get(1).equals("1") && !seg.get(1).equals("2")) {
            return error(404, "Not Found", "The requested API version is not available");
        }
        if (seg.get(2).equals("about")) {
            return json(200, JSON.createObjectNode().put("version", "3.0.0").put("api_version", 2)
                    .put("auth_method", "oidc"));
        }
        if (!seg.get(2).equals("module-builds")) {
            return error(404, "Not Found", "No such component found.");
        }
        String last = seg.size() > 3 ? seg.get(3) : "";
        if (last.isEmpty()) {
            return r.getMethod().equals("GET") ? list(url)
                    : error(405, "Method Not Allowed", "The method is not allowed for the requested URL.");
        }
        long id;
        try {
            id = Long.parseLong(last);
        } catch (NumberFormatException e) {
            return error(404, "Not Found", "The requested URL was not found on the server.");
        }
        FakeBuild b = builds.get(id);
        if (b == null) {
            return error(404, "Not Found", "No such module found.");
        }
        if (r.getMethod().equals("PATCH")) {
            return cancel(b, r);
        }
        reads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        return json(200, b.json(form(url)));
    }

    private MockResponse list(HttpUrl url) {
        List<String> wanted = url.queryParameterValues("state");
        Set<Integer> states = new HashSet<>();
        for (String s : wanted) {
            int n = FakeBuild.STATES.indexOf(s);
            if (n < 0 && s != null && s.matches("[0-6]")) {
                n = Integer.parseInt(s);
            }
            if (n < 0) {
                return error(400, "Bad Request", "Invalid state was supplied: " + s);
            }
            states.add(n);
        }
        int perPage = intParam(url, "per_page", 10);
        int page = intParam(url, "page", 1);
        List<FakeBuild> match = new ArrayList<>();
        new TreeMap<>(builds).descendingMap().values().forEach(b -> {
            if (states.isEmpty() || states.contains(b.state())) {
                match.add(b);
            }
        });
        int pages = Math.max(1, (match.size() + perPage - 1) / perPage);
        ObjectNode body = JSON.createObjectNode();
        ArrayNode items = body.putArray("items");
        match.stream().skip((long) (page - 1) * perPage).limit(perPage).forEach(b -> items.add(b.json(form(url))));
        ObjectNode meta = body.putObject("meta");
        meta.put("page", page).put("pages", pages).put("per_page", perPage).put("total", match.size());
        meta.put("first", pageUrl(url, 1)).put("last", pageUrl(url, pages));
        meta.put("prev", page > 1 ? pageUrl(url, page - 1) : null);
        meta.put("next", page < pages ? pageUrl(url, page + 1) : null);
        return json(200, body);
    }

    private MockResponse cancel(FakeBuild b, RecordedRequest r) {
        String auth = r.getHeaders().get("Authorization");
        if (auth == null) {
            return error(401, "Unauthorized", "No 'authorization' header found.");
        }
        if (!auth.equals("Bearer " + token)) {
            return error(401, "Unauthorized", "OIDC token invalid or expired.");
        }
        String body = r.getBody() == null ? "" : r.getBody().string(StandardCharsets.UTF_8);
        patches.add(body);
        String state;
        try {
            state = JSON.readTree(body).path("state").asText(null);
        } catch (IOException e) {
            state = null;
        }
        if (state == null) {
            return error(400, "Bad Request", "Invalid JSON submitted");
        }
        if (!state.equals("failed") && !state.equals("4")) {
            return error(400, "Bad Request", "An invalid state was submitted. Valid states values are: failed, 4");
        }
        synchronized (b) {
            if (b.state() > 2) {
                return error(400, "Bad Request",
                        "To cancel a module build, it must be in one of the following states: build, init, wait");
            }
            b.state("failed", "Canceled by buildduty.");
            return json(200, b.json("verbose"));
        }
    }

    private String form(HttpUrl url) {
        if (truthy(url.queryParameter("verbose"))) {
            return "verbose";
        }
        return truthy(url.queryParameter("short")) ? "short" : "default";
    }

    private static boolean truthy(String v) {
        return "true".equalsIgnoreCase(v) || "1".equals(v);
    }

    private static int intParam(HttpUrl url, String name, int dflt) {
        String v = url.queryParameter(name);
        try {
            return v == null ? dflt : Math.max(1, Integer.parseInt(v));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static String pageUrl(HttpUrl url, int page) {
        return url.newBuilder().setQueryParameter("page", Integer.toString(page)).build().toString();
    }

    private static MockResponse error(int status, String reason, String message) {
        return json(status, JSON.createObjectNode().put("error", reason).put("message", message)
                .put("status", status));
    }

    private static MockResponse json(int status, ObjectNode body) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
                .addHeader("Access-Control-Allow-Origin", "*").body(body.toString()).build();
    }

    /** One module build of the fake; every change is applied under its lock and seen by the next read. */
    public final class FakeBuild {
        static final List<String> STATES = List.of("init", "wait", "build", "done", "failed", "ready", "garbage");

        private final long id;
        private final String name;
        private final String stream;
        private final String owner;
        private final Instant submitted;
        private final Map<String, Object[]> tasks = new LinkedHashMap<>();
        private final TreeMap<Instant, List<Consumer<FakeBuild>>> scheduled = new TreeMap<>();
        private int state = 1;
        private String reason;
        private Instant modified;
        private Instant completed;
        private final List<Object[]> trace = new ArrayList<>();

        private FakeBuild(long id, String name, String stream, String owner, Instant at, String... packages) {
            this.id = id;
            this.name = name;
            this.stream = stream;
            this.owner = owner;
            this.submitted = at;
            this.modified = at;
            for (String p : packages) {
                tasks.put(p, new Object[] {null, null, null, null});
            }
            trace.add(new Object[] {at, 1, null});
        }

        public long id() {
            return id;
        }

        /** Moves the build to a state by name ({@code build}, {@code done}, {@code failed}, …) with a reason. */
        public synchronized FakeBuild state(String stateName, String why) {
            int n = STATES.indexOf(stateName);
            if (n < 0) {
                throw new IllegalArgumentException(stateName);
            }
            this.state = n;
            this.reason = why;
            this.modified = ticker.now();
            if (n >= 3) {
                this.completed = modified;
            }
            trace.add(new Object[] {modified, n, why});
            return this;
        }

        /**
         * Sets a component's Koji state (0 BUILDING, 1 COMPLETE, 3 FAILED, …, or null); it gets a Koji task id and
         * an NVR the first time it leaves null.
         */
        public synchronized FakeBuild component(String pkg, Integer kojiState) {
            Object[] t = tasks.computeIfAbsent(pkg, k -> new Object[4]);
            if (kojiState != null && t[0] == null) {
                t[0] = nextTask.getAndIncrement();
                t[3] = pkg + "-1.0-1.module_f26+570+abcdef12";
            }
            t[1] = kojiState;
            t[2] = kojiState != null && kojiState == 3 ? "Koji build failed" : "";
            this.modified = ticker.now();
            return this;
        }

        /** Applies {@code change} once the ticker reaches {@code when}. */
        public synchronized FakeBuild at(Instant when, Consumer<FakeBuild> change) {
            scheduled.computeIfAbsent(when, k -> new ArrayList<>()).add(change);
            return this;
        }

        /** The Koji task id of a component, or null. */
        public synchronized Long taskId(String pkg) {
            Object[] t = tasks.get(pkg);
            return t == null ? null : (Long) t[0];
        }

        synchronized int state() {
            applyDue();
            return state;
        }

        private void applyDue() {
            Instant now = ticker.now();
            while (!scheduled.isEmpty() && !scheduled.firstKey().isAfter(now)) {
                scheduled.pollFirstEntry().getValue().forEach(c -> c.accept(this));
            }
        }

        synchronized ObjectNode json(String form) {
            applyDue();
            ObjectNode n = JSON.createObjectNode();
            n.put("id", id).put("name", name).put("stream", stream).put("version", "20171005113458")
                    .put("context", "00000000").put("state", state).put("state_name", STATES.get(state))
                    .put("scratch", false);
            if (form.equals("short")) {
                return n;
            }
            n.put("owner", owner);
            ArrayNode ids = n.putArray("component_builds");
            for (int i = 0; i < tasks.size(); i++) {
                ids.add(id * 100 + i);
            }
            n.put("koji_tag", state >= 2 ? "module-" + name + "-" + stream + "-20171005113458-00000000" : null);
            n.put("rebuild_strategy", "changed-and-after");
            n.put("scmurl", "https://src.fedoraproject.org/modules/" + name + ".git?#0123abcd");
            n.putArray("srpms");
            n.putArray("siblings");
            n.put("state_reason", reason);
            n.put("time_submitted", time(submitted)).put("time_modified", time(modified))
                    .put("time_completed", completed == null ? null : time(completed));
            n.putObject("buildrequires");
            ObjectNode rpms = n.putObject("tasks").putObject("rpms");
            tasks.forEach((pkg, t) -> {
                ObjectNode task = rpms.putObject(pkg);
                task.put("task_id", (Long) t[0]);
                task.put("state", (Integer) t[1]);
                task.put("state_reason", (String) t[2]);
                task.put("nvr", (String) t[3]);
            });
            if (form.equals("verbose")) {
                n.put("modulemd", "document: modulemd\nversion: 2\ndata:\n  name: " + name + "\n");
                n.put("state_url", "/module-build-service/1/module-builds/" + id);
                ArrayNode tr = n.putArray("state_trace");
                for (Object[] t : trace) {
                    int s = (Integer) t[1];
                    tr.addObject().put("time", time((Instant) t[0])).put("state", s).put("state_name", STATES.get(s))
                            .put("reason", (String) t[2]);
                }
            }
            return n;
        }

        private String time(Instant t) {
            return t.truncatedTo(ChronoUnit.SECONDS).toString();
        }
    }
}
