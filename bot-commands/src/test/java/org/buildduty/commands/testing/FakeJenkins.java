package org.buildduty.commands.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

import org.buildduty.exec.testing.LoopbackHttp;

/**
 * A Jenkins controller on 127.0.0.1 that follows the Jenkins contract (../shared/contracts/jenkins.md): jobs in
 * folders ({@code /job/a/job/b/}), parameterized or not, disabled or not; {@code build} (400 "Nothing is submitted"
 * / "This page expects a form submission" on a parameterized job), {@code buildWithParameters} (400 on a job without
 * parameters, 303 for a duplicate still queued), 409 on a disabled job, 201 with an absolute {@code Location} of the
 * queue item; queue items that wait, leave the queue as a build ({@code LeftItem} with {@code executable}) or
 * cancelled; builds that run ({@code building}) and end with a result; {@code /stop} (302), {@code /queue/cancelItem}
 * (204, 500 once the item left, 404 unknown), {@code /disable} (cancels the job's queued items) and {@code /enable}
 * (302); {@code /queue/api/json} and {@code /computer/api/json} with running Pipeline builds on the built-in node's
 * one-off executors. Errors have Jetty's HTML page shape; a request without Basic credentials is 403 (anonymous), a
 * wrong secret 401 with {@code WWW-Authenticate}; a {@link #deny denied} permission is 403 with
 * {@code X-Required-Permission}.
 *
 * <p>Authentication: with {@link #start(String, String)} the user's API token (no crumb needed). With
 * {@link #startWithPassword} a password, and every POST needs the crumb of {@code /crumbIssuer/api/json} in
 * {@code Jenkins-Crumb} together with the session cookie it was issued with (else 403 "No valid crumb").
 *
 * <p>Progression is driven by the test: {@link #startBuild} starts a queued item, {@link #finish} ends a build; or
 * automatically, per job: {@link FakeJob#autoStart} (an item starts at the n-th read of its queue item) and
 * {@link FakeJob#autoFinish} (a build ends with a result at the n-th read of it or of the executors). Every request is
 * recorded ({@link #requests()}, {@link #posts()}). {@link #throttleNext} answers 429 with {@code Retry-After}.
 */
public final class FakeJenkins implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COOKIE = "JSESSIONID.3b7e91c2";

    private final MockWebServer server = new MockWebServer();
    private final String user;
    private final String secret;
    private final boolean password;
    private final Map<String, FakeJob> jobs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<Long, Item> items = new ConcurrentHashMap<>();
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final Set<String> denied = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextItem = new AtomicLong(1842);
    private final AtomicInteger nextSession = new AtomicInteger(1);
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger throttled = new AtomicInteger();
    private volatile int throttleSeconds;

    private FakeJenkins(String user, String secret, boolean password) {
        this.user = user;
        this.secret = secret;
        this.password = password;
    }

    /** A controller where {@code user} authenticates with API token {@code token}. */
    public static FakeJenkins start(String user, String token) throws IOException {
        FakeJenkins f = new FakeJenkins(user, token, false);
        LoopbackHttp.start(f.server, f::answer);
        return f;
    }

    /** A controller where {@code user} authenticates with {@code password}: POSTs need a crumb and its session. */
    public static FakeJenkins startWithPassword(String user, String password) throws IOException {
        FakeJenkins f = new FakeJenkins(user, password, true);
        LoopbackHttp.start(f.server, f::answer);
        return f;
    }

    /** The root URL, as configured in {@code services.jenkins.url}. */
    public URI url() {
        return server.url("/").uri();
    }

    /** A job {@code name} or {@code folder/name}, parameterized when {@code parameters} are given (defaults ""). */
    public FakeJob addJob(String fullName, String... parameters) {
        FakeJob j = new FakeJob(fullName, List.of(parameters));
        jobs.put(fullName, j);
        return j;
    }

    /** The job {@code fullName}. */
    public FakeJob job(String fullName) {
        FakeJob j = jobs.get(fullName);
        if (j == null) {
            throw new IllegalArgumentException("no job " + fullName);
        }
        return j;
    }

    /** Answers requests needing {@code permission} (e.g. {@code hudson.model.Item.Build}) 403 from now on. */
    public void deny(String permission) {
        denied.add(permission);
    }

    /** The next {@code count} requests are answered 429 with {@code Retry-After: seconds}, as a rate limiter does. */
    public void throttleNext(int count, int seconds) {
        throttleSeconds = seconds;
        throttled.set(count);
    }

    /** Forgets every HTTP session, as a restart or a session timeout does: their crumbs are refused from now on. */
    public void expireSessions() {
        sessions.clear();
    }

    /** Every request so far, as {@code METHOD /path?query}. */
    public List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The POSTs so far, as {@code POST /path} (without query), the crumb fetches not counted. */
    public List<String> posts() {
        return requests().stream().filter(r -> r.startsWith("POST ")).map(r -> r.replaceFirst("\\?.*", "")).toList();
    }

    /** The queue item {@code id}, if Jenkins still knows it. */
    public Item item(long id) {
        return items.get(id);
    }

    /** The ids of the items still waiting in the queue, oldest first. */
    public List<Long> queued() {
        return items.values().stream().filter(i -> i.state == State.WAITING).map(i -> i.id).sorted().toList();
    }

    /** Puts an item of {@code job} in the queue (as a timer would). */
    public long enqueue(String job, String why) {
        Item i = new Item(nextItem.getAndIncrement(), job(job), Map.of());
        i.why = why;
        items.put(i.id, i);
        return i.id;
    }

    /** Starts the build of queued item {@code id}: it leaves the queue with its executable. The build's number. */
    public synchronized int startBuild(long id) {
        Item i = items.get(id);
        if (i == null || i.state != State.WAITING) {
            throw new IllegalStateException("item " + id + " is not waiting");
        }
        FakeRun r = i.job.newRun(id, i.params);
        i.state = State.LEFT;
        i.run = r;
        return r.number;
    }

    /** Starts a build of {@code job} outside the queue the bot sees (running already); its number. */
    public synchronized int running(String job) {
        long id = enqueue(job, null);
        return startBuild(id);
    }

    /** Ends build {@code number} of {@code job} with {@code result} after {@code durationMs}. */
    public synchronized void finish(String job, int number, String result, long durationMs) {
        FakeRun r = job(job).runs.get(number);
        r.building = false;
        r.result = result;
        r.duration = durationMs;
    }

    /** Forgets queue item {@code id}, as Jenkins does 5 minutes after it left the queue, or on a restart. */
    public void forget(long id) {
        items.remove(id);
    }

    @Override
    public void close() {
        server.close();
    }

    /** The states of a queue item. */
    public enum State { WAITING, LEFT, CANCELLED }

    /** A queue item. */
    public final class Item {
        final long id;
        final FakeJob job;
        final Map<String, String> params;
        volatile State state = State.WAITING;
        volatile String why = "In the quiet period. Expires in 4.9 sec";
        volatile FakeRun run;
        int polls;

        Item(long id, FakeJob job, Map<String, String> params) {
            this.id = id;
            this.job = job;
            this.params = Map.copyOf(params);
        }

        /** Its state. */
        public State state() {
            return state;
        }

        /** The parameters it was queued with. */
        public Map<String, String> params() {
            return params;
        }
    }

    /** A job. */
    public final class FakeJob {
        final String fullName;
        final List<String> parameters;
        final Map<Integer, FakeRun> runs = new ConcurrentHashMap<>();
        volatile boolean disabled;
        volatile int next = 1;
        volatile int startAfter = -1;
        volatile int finishAfter = -1;
        volatile String autoResult = "SUCCESS";

        FakeJob(String fullName, List<String> parameters) {
            this.fullName = fullName;
            this.parameters = parameters;
        }

        /** Disabled (or enabled again). */
        public FakeJob disabled(boolean d) {
            this.disabled = d;
            return this;
        }

        /** Whether it is disabled now. */
        public boolean disabled() {
            return disabled;
        }

        /** Its next build gets {@code n}. */
        public FakeJob nextBuild(int n) {
            this.next = n;
            return this;
        }

        /** Its queued items start at the {@code polls}-th read of the item. */
        public FakeJob autoStart(int polls) {
            this.startAfter = polls;
            return this;
        }

        /** Its builds end {@code result} at the {@code polls}-th read of the build or of the executors. */
        public FakeJob autoFinish(int polls, String result) {
            this.finishAfter = polls;
            this.autoResult = result;
            return this;
        }

        /** Whether build {@code number} is still running. */
        public boolean building(int number) {
            FakeRun r = runs.get(number);
            return r != null && r.building;
        }

        /** The result of build {@code number}, or null. */
        public String result(int number) {
            FakeRun r = runs.get(number);
            return r == null ? null : r.result;
        }

        FakeRun newRun(long queueId, Map<String, String> params) {
            FakeRun r = new FakeRun(this, next++, queueId, params);
            r.polls = finishAfter;
            runs.put(r.number, r);
            return r;
        }

        String url() {
            StringBuilder b = new StringBuilder(base());
            for (String n : fullName.split("/")) {
                b.append("job/").append(n).append('/');
            }
            return b.toString();
        }
    }

    /** A build. */
    final class FakeRun {
        final FakeJob job;
        final int number;
        final long queueId;
        final Map<String, String> params;
        volatile boolean building = true;
        volatile String result;
        volatile long duration;
        int polls;

        FakeRun(FakeJob job, int number, long queueId, Map<String, String> params) {
            this.job = job;
            this.number = number;
            this.queueId = queueId;
            this.params = params;
        }

        String url() {
            return job.url() + number + "/";
        }

        /** One read: an automatic build ends at its n-th. */
        void poll() {
            if (building && polls > 0 && --polls == 0) {
                building = false;
                result = job.autoResult;
                duration = 741_877;
            }
        }
    }

    private String base() {
        return url().toString();
    }

    private synchronized MockResponse answer(RecordedRequest r) {
        HttpUrl url = r.getUrl();
        String query = url.encodedQuery();
        requests.add(r.getMethod() + " " + url.encodedPath() + (query == null ? "" : "?" + query));
        if (throttled.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return new MockResponse.Builder().code(429).addHeader("Retry-After", Integer.toString(throttleSeconds))
                    .addHeader("Content-Type", "text/html;charset=utf-8").body("<html>Too Many Requests</html>")
                    .build();
        }
        String auth = r.getHeaders().get("Authorization");
        if (auth == null || !auth.startsWith("Basic ")) {
            return anonymous(url.encodedPath());
        }
        String pair = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
        if (!pair.equals(user + ":" + secret)) {
            return jetty(401, "Unauthorized", url.encodedPath()).newBuilder()
                    .addHeader("WWW-Authenticate", "Basic realm=\"Jenkins\"").build();
        }
        List<String> seg = url.pathSegments();
        if (seg.size() >= 3 && seg.get(0).equals("crumbIssuer")) {
            String session = "node0" + Integer.toHexString(nextSession.getAndIncrement()) + "q9m2x7c4v8b3n";
            sessions.add(session);
            return json(JSON.createObjectNode().put("_class", "hudson.security.csrf.DefaultCrumbIssuer")
                    .put("crumb", crumbOf(session)).put("crumbRequestField", "Jenkins-Crumb")).newBuilder()
                    .addHeader("Set-Cookie", COOKIE + "=" + session + "; Path=/; HttpOnly").build();
        }
        boolean post = r.getMethod().equals("POST");
        if (post && password && !validCrumb(r)) {
            return jetty(403, "No valid crumb was included in the request", url.encodedPath());
        }
        Map<String, String> form = form(r);
        if (seg.size() >= 2 && seg.get(0).equals("api") && seg.get(1).equals("json")) {
            return json(root());
        }
        if (!seg.isEmpty() && seg.get(0).equals("queue")) {
            return queue(r, url, seg, post);
        }
        if (seg.size() >= 3 && seg.get(0).equals("computer") && seg.get(1).equals("api")) {
            return json(computers());
        }
        if (seg.size() >= 2 && seg.get(0).equals("job")) {
            return job(r, url, seg, post, form);
        }
        return jetty(404, "Not Found", url.encodedPath());
    }

    private MockResponse queue(RecordedRequest r, HttpUrl url, List<String> seg, boolean post) {
        if (seg.size() >= 3 && seg.get(1).equals("api")) {
            ObjectNode q = JSON.createObjectNode().put("_class", "hudson.model.Queue");
            q.putArray("discoverableItems");
            ArrayNode list = q.putArray("items");
            for (long id : queued()) {
                list.add(item(items.get(id)));
            }
            return json(q);
        }
        if (seg.size() >= 2 && seg.get(1).equals("cancelItem")) {
            if (!post) {
                return page(405, "This URL requires POST").newBuilder().addHeader("Allow", "POST").build();
            }
            if (denied.contains("hudson.model.Item.Cancel")) {
                return oops(422);
            }
            String id = url.queryParameter("id");
            Item i = id == null ? null : items.get(Long.parseLong(id));
            if (i == null) {
                return oops(404);
            }
            if (i.state != State.WAITING) {
                return oops(500);
            }
            i.state = State.CANCELLED;
            return new MockResponse.Builder().code(204).build();
        }
        if (seg.size() >= 5 && seg.get(1).equals("item") && seg.get(3).equals("api")) {
            Item i = items.get(Long.parseLong(seg.get(2)));
            if (i == null) {
                return jetty(404, "Not Found", url.encodedPath());
            }
            i.polls++;
            if (i.state == State.WAITING && i.job.startAfter > 0 && i.polls >= i.job.startAfter) {
                startBuild(i.id);
            }
            return json(item(i));
        }
        return jetty(404, "Not Found", url.encodedPath());
    }

    private MockResponse job(RecordedRequest r, HttpUrl url, List<String> seg, boolean post,
            Map<String, String> form) {
        List<String> names = new ArrayList<>();
        int k = 0;
        while (k + 1 < seg.size() && seg.get(k).equals("job")) {
            names.add(seg.get(k + 1));
            k += 2;
        }
        String fullName = String.join("/", names);
        FakeJob job = jobs.get(fullName);
        if (job == null && names.size() == 1) {
            job = jobs.values().stream().filter(j -> j.fullName.equalsIgnoreCase(fullName)).findFirst().orElse(null);
        }
        if (job == null) {
            return jetty(404, "Not Found", url.encodedPath());
        }
        List<String> rest = seg.subList(k, seg.size()).stream().filter(s -> !s.isEmpty()).toList();
        String what = rest.isEmpty() ? "" : rest.get(0);
        switch (what) {
            case "api":
                return json(jobJson(job));
            case "build":
            case "buildWithParameters":
                return trigger(r, url, job, what, post, form);
            case "disable":
            case "enable":
                if (!post) {
                    return page(405, "This URL requires POST").newBuilder().addHeader("Allow", "POST").build();
                }
                if (denied.contains("hudson.model.Item.Configure")) {
                    return denied("hudson.model.Item.Configure", "Job/Configure");
                }
                job.disabled = what.equals("disable");
                if (job.disabled) {
                    for (Item i : items.values()) {
                        if (i.job == job && i.state == State.WAITING) {
                            i.state = State.CANCELLED;
                        }
                    }
                }
                return redirect(302, job.url());
            default:
                break;
        }
        int number;
        try {
            number = Integer.parseInt(what);
        } catch (NumberFormatException e) {
            return jetty(404, "Not Found", url.encodedPath());
        }
        FakeRun run = job.runs.get(number);
        if (run == null) {
            return jetty(404, "Not Found", url.encodedPath());
        }
        if (rest.size() >= 2 && rest.get(1).equals("stop")) {
            if (!post) {
                return page(405, "This URL requires POST").newBuilder().addHeader("Allow", "POST").build();
            }
            if (denied.contains("hudson.model.Item.Cancel")) {
                return denied("hudson.model.Item.Cancel", "Job/Cancel");
            }
            if (run.building) {
                run.building = false;
                run.result = "ABORTED";
                run.duration = 95_310;
            }
            return redirect(302, run.url());
        }
        run.poll();
        return json(runJson(run));
    }

    private MockResponse trigger(RecordedRequest r, HttpUrl url, FakeJob job, String what, boolean post,
            Map<String, String> form) {
        boolean parameterized = !job.parameters.isEmpty();
        if (job.disabled) {
            return jetty(409, job.fullName + " is not buildable", url.encodedPath());
        }
        if (!post) {
            if (what.equals("build") && parameterized) {
                return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/html;charset=utf-8")
                        .body("<html><body><form method=\"post\" action=\"build\"></form></body></html>").build();
            }
            return page(405, "This URL requires POST").newBuilder().addHeader("Allow", "POST").build();
        }
        if (denied.contains("hudson.model.Item.Build")) {
            return denied("hudson.model.Item.Build", "Job/Build");
        }
        Map<String, String> given = new LinkedHashMap<>();
        for (String name : url.queryParameterNames()) {
            given.put(name, url.queryParameter(name));
        }
        given.putAll(form);
        Map<String, String> params = new LinkedHashMap<>();
        if (what.equals("build")) {
            if (parameterized) {
                if (!given.containsKey("json")) {
                    return jetty(400, given.isEmpty() ? "Nothing is submitted" : "This page expects a form submission",
                            url.encodedPath());
                }
                try {
                    for (var p : JSON.readTree(given.get("json")).path("parameter")) {
                        String name = p.path("name").asText();
                        if (!job.parameters.contains(name)) {
                            return oops(500);
                        }
                        params.put(name, p.path("value").asText());
                    }
                } catch (IOException e) {
                    return oops(500);
                }
            }
        } else {
            if (!parameterized) {
                return jetty(400, job.fullName + " is not parameterized", url.encodedPath());
            }
            for (String p : job.parameters) {
                params.put(p, given.getOrDefault(p, ""));
            }
            for (Item i : items.values()) {
                if (i.job == job && i.state == State.WAITING && i.params.equals(params)) {
                    return redirect(303, base() + "queue/item/" + i.id + "/");
                }
            }
        }
        Item i = new Item(nextItem.getAndIncrement(), job, params);
        items.put(i.id, i);
        String host = r.getHeaders().get("Host");
        String location = "http://" + (host == null ? url.host() + ":" + url.port() : host) + "/queue/item/" + i.id
                + "/";
        return redirect(201, location);
    }

    private ObjectNode root() {
        ObjectNode root = JSON.createObjectNode().put("_class", "hudson.model.Hudson");
        ArrayNode top = root.putArray("jobs");
        Map<String, ArrayNode> folders = new LinkedHashMap<>();
        synchronized (jobs) {
            for (FakeJob j : jobs.values()) {
                String[] parts = j.fullName.split("/");
                ArrayNode into = top;
                String prefix = "";
                for (int p = 0; p < parts.length - 1; p++) {
                    prefix += parts[p] + "/";
                    ArrayNode parent = into;
                    String name = parts[p];
                    String key = prefix;
                    into = folders.computeIfAbsent(key, x -> {
                        ObjectNode f = parent.addObject().put("_class", "com.cloudbees.hudson.plugins.folder.Folder")
                                .put("name", name).put("url", base() + "job/" + key.replace("/", "/job/"));
                        return f.putArray("jobs");
                    });
                }
                into.addObject().put("_class", "org.jenkinsci.plugins.workflow.job.WorkflowJob")
                        .put("name", parts[parts.length - 1]).put("url", j.url()).put("color", color(j));
            }
        }
        return root;
    }

    private String color(FakeJob j) {
        boolean anime = j.runs.values().stream().anyMatch(x -> x.building);
        String c = j.disabled ? "disabled" : j.runs.isEmpty() ? "notbuilt" : "blue";
        return anime ? c + "_anime" : c;
    }

    private ObjectNode jobJson(FakeJob j) {
        String[] parts = j.fullName.split("/");
        ObjectNode n = JSON.createObjectNode().put("_class", "org.jenkinsci.plugins.workflow.job.WorkflowJob")
                .put("name", parts[parts.length - 1]).put("fullName", j.fullName).put("url", j.url())
                .put("buildable", !j.disabled).put("color", color(j)).put("disabled", j.disabled);
        ArrayNode builds = n.putArray("builds");
        j.runs.values().stream().sorted((a, b) -> b.number - a.number).forEach(r -> builds.add(runJson(r)));
        Long queued = items.values().stream().filter(i -> i.job == j && i.state == State.WAITING).map(i -> i.id)
                .findFirst().orElse(null);
        n.put("inQueue", queued != null);
        if (queued == null) {
            n.putNull("queueItem");
        } else {
            n.putObject("queueItem").put("_class", "hudson.model.Queue$WaitingItem").put("id", queued)
                    .put("why", items.get(queued).why);
        }
        n.put("nextBuildNumber", j.next);
        ArrayNode property = n.putArray("property");
        property.addObject().put("_class", "jenkins.model.BuildDiscarderProperty");
        if (!j.parameters.isEmpty()) {
            ArrayNode defs = property.addObject().put("_class", "hudson.model.ParametersDefinitionProperty")
                    .putArray("parameterDefinitions");
            for (String p : j.parameters) {
                defs.addObject().put("_class", "hudson.model.StringParameterDefinition").put("name", p)
                        .put("type", "StringParameterDefinition");
            }
        }
        return n;
    }

    private ObjectNode runJson(FakeRun r) {
        ObjectNode n = JSON.createObjectNode().put("_class", "org.jenkinsci.plugins.workflow.job.WorkflowRun");
        ArrayNode actions = n.putArray("actions");
        ArrayNode ps = actions.addObject().put("_class", "hudson.model.ParametersAction").putArray("parameters");
        r.params.forEach((k, v) -> ps.addObject().put("_class", "hudson.model.StringParameterValue").put("name", k)
                .put("value", v));
        actions.addObject();
        n.put("building", r.building).put("displayName", "#" + r.number).put("duration", r.building ? 0 : r.duration)
                .put("estimatedDuration", 734_512).put("fullDisplayName", r.job.fullName + " #" + r.number)
                .put("id", Integer.toString(r.number)).put("inProgress", r.building).put("number", r.number)
                .put("queueId", r.queueId).put("timestamp", 1_767_225_605_333L).put("url", r.url());
        if (r.result == null) {
            n.putNull("result");
        } else {
            n.put("result", r.result);
        }
        return n;
    }

    private ObjectNode item(Item i) {
        String cls = switch (i.state) {
            case WAITING -> "hudson.model.Queue$WaitingItem";
            default -> "hudson.model.Queue$LeftItem";
        };
        ObjectNode n = JSON.createObjectNode().put("_class", cls);
        n.putArray("actions");
        n.put("blocked", false).put("buildable", false).put("id", i.id).put("inQueueSince", 1_767_225_600_123L);
        StringBuilder params = new StringBuilder();
        i.params.forEach((k, v) -> params.append('\n').append(k).append('=').append(v));
        n.put("params", params.toString()).put("stuck", false);
        n.putObject("task").put("_class", "org.jenkinsci.plugins.workflow.job.WorkflowJob")
                .put("name", i.job.fullName.substring(i.job.fullName.lastIndexOf('/') + 1)).put("url", i.job.url())
                .put("color", color(i.job));
        n.put("url", "queue/item/" + i.id + "/");
        if (i.state == State.WAITING) {
            n.put("why", i.why).put("timestamp", 1_767_225_605_123L);
        } else {
            n.putNull("why");
            n.put("cancelled", i.state == State.CANCELLED);
            if (i.run == null) {
                n.putNull("executable");
            } else {
                n.putObject("executable").put("_class", "org.jenkinsci.plugins.workflow.job.WorkflowRun")
                        .put("number", i.run.number).put("url", i.run.url());
            }
        }
        return n;
    }

    private ObjectNode computers() {
        List<FakeRun> running = new ArrayList<>();
        synchronized (jobs) {
            for (FakeJob j : jobs.values()) {
                for (FakeRun r : j.runs.values()) {
                    r.poll();
                    if (r.building) {
                        running.add(r);
                    }
                }
            }
        }
        ObjectNode n = JSON.createObjectNode().put("_class", "hudson.model.ComputerSet").put("busyExecutors", 0);
        ArrayNode list = n.putArray("computer");
        ObjectNode master = list.addObject().put("_class", "hudson.model.Hudson$MasterComputer")
                .put("displayName", "Built-In Node");
        master.putArray("executors");
        master.put("idle", running.isEmpty()).put("offline", false);
        ArrayNode oneOff = master.putArray("oneOffExecutors");
        for (FakeRun r : running) {
            oneOff.addObject().putObject("currentExecutable")
                    .put("_class", "org.jenkinsci.plugins.workflow.job.WorkflowRun").put("url", r.url());
        }
        ObjectNode agent = list.addObject().put("_class", "hudson.slaves.SlaveComputer").put("displayName",
                "builder-1");
        ArrayNode ex = agent.putArray("executors");
        ex.addObject().putNull("currentExecutable").put("idle", true);
        agent.put("idle", true).put("offline", false);
        agent.putArray("oneOffExecutors");
        n.put("totalExecutors", 1);
        return n;
    }

    private boolean validCrumb(RecordedRequest r) {
        String crumb = r.getHeaders().get("Jenkins-Crumb");
        String cookie = r.getHeaders().get("Cookie");
        if (crumb == null || cookie == null) {
            return false;
        }
        for (String c : cookie.split(";")) {
            String[] kv = c.strip().split("=", 2);
            if (kv.length == 2 && kv[0].equals(COOKIE) && sessions.contains(kv[1]) && crumbOf(kv[1]).equals(crumb)) {
                return true;
            }
        }
        return false;
    }

    private String crumbOf(String session) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(d.digest((user + ":" + session).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> form(RecordedRequest r) {
        Map<String, String> out = new LinkedHashMap<>();
        String type = r.getHeaders().get("Content-Type");
        if (r.getBody() == null || type == null || !type.startsWith("application/x-www-form-urlencoded")) {
            return out;
        }
        String body = r.getBody().string(StandardCharsets.UTF_8);
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }

    private static MockResponse json(ObjectNode body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json;charset=utf-8")
                .addHeader("X-Jenkins", "2.578").body(body.toString()).build();
    }

    private static MockResponse redirect(int code, String location) {
        return new MockResponse.Builder().code(code).addHeader("Location", location).body("").build();
    }

    /** Jetty's error page (fixtures jenkins_GET_error_404.txt, jenkins_POST_build_error_409.txt). */
    private static MockResponse jetty(int code, String message, String uri) {
        String reason = switch (code) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            default -> "Server Error";
        };
        String m = message.equals(reason) ? reason : message;
        String body = "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=ISO-8859-1\"/>\n"
                + "<title>Error " + code + " " + m + "</title>\n</head>\n<body><h2>HTTP ERROR " + code + " " + m
                + "</h2>\n<table>\n<tr><th>URI:</th><td>" + uri + "</td></tr>\n<tr><th>STATUS:</th><td>" + code
                + "</td></tr>\n<tr><th>MESSAGE:</th><td>" + m
                + "</td></tr>\n<tr><th>SERVLET:</th><td>Stapler</td></tr>\n"
                + "</table>\n<hr/><a href=\"https://jetty.org/\">Powered by Jetty:// 12.0.x</a><hr/>\n\n</body>\n"
                + "</html>\n";
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "text/html;charset=iso-8859-1")
                .addHeader("Cache-Control", "must-revalidate,no-cache,no-store").body(body).build();
    }

    private static MockResponse page(int code, String heading) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "text/html;charset=utf-8")
                .body("<!DOCTYPE html><html><head><title>Jenkins</title></head><body><div id=\"main-panel\"><h1>"
                        + heading + "</h1></div></body></html>").build();
    }

    private static MockResponse oops(int code) {
        return page(code, "Oops! A problem occurred while processing the request");
    }

    private MockResponse denied(String permission, String shown) {
        return new MockResponse.Builder().code(403).addHeader("Content-Type", "text/html;charset=utf-8")
                .addHeader("X-You-Are-Authenticated-As", user).addHeader("X-Required-Permission", permission)
                .body("<!DOCTYPE html><html><head><title>Jenkins Login [Jenkins]</title></head><body>"
                        + "<div id=\"main-panel\"><h1>Access Denied</h1><p class=\"error\">" + user
                        + " is missing the " + shown + " permission</p></div></body></html>").build();
    }

    private static MockResponse anonymous(String path) {
        return new MockResponse.Builder().code(403).addHeader("Content-Type", "text/html;charset=utf-8")
                .addHeader("X-You-Are-Authenticated-As", "anonymous")
                .addHeader("X-Required-Permission", "hudson.model.Hudson.Read")
                .body("<html><head><meta http-equiv='refresh' content='1;url=/login?from=" + path + "'/></head>"
                        + "<body>\nAuthentication required\n</body></html>").build();
    }
}
