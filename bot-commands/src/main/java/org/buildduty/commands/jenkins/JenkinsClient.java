package org.buildduty.commands.jenkins;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import org.buildduty.exec.http.Json;
import org.buildduty.exec.http.OkHttpClients;
import org.buildduty.exec.http.RetryAfter;
import org.buildduty.exec.http.ServiceLines;

/**
 * Talks to a Jenkins controller's REST API: triggers jobs ({@code build}, {@code buildWithParameters}; folders as
 * {@code a/b}, sent as {@code /job/a/job/b/}), follows queue items to their builds, reads builds, cancels queue items,
 * stops builds, disables and enables jobs, and lists what is queued and running.
 *
 * <p>Every request carries pre-emptive Basic credentials (Jenkins answers a request without them 403, not 401). With
 * an API token no crumb is needed; with a password the client fetches a crumb ({@code /crumbIssuer/api/json}) and
 * keeps the session cookie it came with, sends both on every POST, and fetches a new pair once when a POST is refused
 * 403 (the session expired). A Jenkins without CSRF protection (crumb issuer 404) gets no crumb. Error bodies are
 * HTML and are never parsed: each failure is a {@link JenkinsException} with one chat-safe line built from the status
 * and headers ({@code X-Required-Permission}; a 429 or 503 carries its {@code Retry-After}). Redirects are not
 * followed (trigger, stop, enable and disable answer with them). Thread-safe.
 *
 * <pre>{@code
 * JenkinsClient j = JenkinsClient.withToken(URI.create("https://jenkins.example.org/"), "bot", () -> token);
 * long item = j.trigger("kernel-build-trigger", Map.of("BUILD_CONFIG", "mainline"));
 * JenkinsClient.QueueItem q = j.queueItem(item).orElseThrow();
 * }</pre>
 */
public final class JenkinsClient {
    private static final int MAX_BODY = 8 << 20;
    private static final String JOB_TREE = "name,fullName,url,buildable,color,inQueue,queueItem[id,why],"
            + "lastBuild[number,building,result],nextBuildNumber,property[parameterDefinitions[name]]";

    private final OkHttpClient http;
    private final URI baseUrl;
    private final HttpUrl root;
    private final String user;
    private final Supplier<String> secret;
    private final boolean password;
    private final Object crumbLock = new Object();
    /** The crumb header name and value and the session cookie (password auth), or null before the first POST. */
    private volatile Crumb crumb;

    /**
     * A client of the Jenkins at {@code baseUrl} sending through {@code http} (without following redirects), as
     * {@code user} with {@code secret}: an API token, or with {@code password} true a password.
     */
    public JenkinsClient(OkHttpClient http, URI baseUrl, String user, Supplier<String> secret, boolean password) {
        this.baseUrl = withSlash(Objects.requireNonNull(baseUrl, "baseUrl"));
        this.root = Objects.requireNonNull(HttpUrl.parse(this.baseUrl.toString()),
                "the Jenkins url must be an http or https URL");
        this.http = Objects.requireNonNull(http, "http").newBuilder().followRedirects(false)
                .followSslRedirects(false).build();
        this.user = Objects.requireNonNull(user, "user");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.password = password;
    }

    /** A client authenticating with an API token (no crumb), 10 s to connect, 30 s per read. */
    public static JenkinsClient withToken(URI baseUrl, String user, Supplier<String> token) {
        return new JenkinsClient(defaultHttp(), baseUrl, user, token, false);
    }

    /** A client authenticating with a password: a crumb and the session cookie on every POST. */
    public static JenkinsClient withPassword(URI baseUrl, String user, Supplier<String> password) {
        return new JenkinsClient(defaultHttp(), baseUrl, user, password, true);
    }

    private static OkHttpClient defaultHttp() {
        return OkHttpClients.builder(Duration.ofSeconds(30), Duration.ofSeconds(30))
                .callTimeout(Duration.ofSeconds(60)).build();
    }

    /** The controller's root URL, ending in {@code /}. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** A job as the bot needs it. */
    public record Job(String fullName, String url, boolean buildable, List<String> parameters) {
        /** True when the job declares parameters. */
        public boolean parameterized() {
            return !parameters.isEmpty();
        }
    }

    /**
     * A queue item: waiting ({@code left} false, {@code why} says why), or left the queue: {@code cancelled}, or
     * started as build {@code number} at {@code buildUrl} (both null while Jenkins creates the build).
     */
    public record QueueItem(long id, boolean left, String why, boolean cancelled, Integer number, String buildUrl) {
    }

    /** A build: {@code building} until it ends (its {@code result} may be set before, for Pipeline runs). */
    public record Build(int number, boolean building, String result, Duration duration, String url) {
    }

    /**
     * Something that keeps Jenkins from being idle.
     *
     * @param job  the job's full name, or null when Jenkins does not say (an executor whose run the user cannot see)
     * @param text one line: {@code kernel-build #1201 running}, {@code kernel-tree-monitor queued (In the quiet
     *             period. Expires in 4.9 sec)}
     */
    public record Busy(String job, String text) {
    }

    /** The job {@code path} ({@code name} or {@code folder/name}). */
    public Job job(String path) {
        JsonNode j = get(jobUrl(path).addPathSegments("api/json").addQueryParameter("tree", JOB_TREE), path);
        List<String> params = new ArrayList<>();
        for (JsonNode p : j.path("property")) {
            for (JsonNode d : p.path("parameterDefinitions")) {
                params.add(d.path("name").asText());
            }
        }
        return new Job(j.path("fullName").asText(path), j.path("url").asText(""), j.path("buildable").asBoolean(true),
                params);
    }

    /** The full names ({@code folder/name}) of every job, folders searched three levels deep. */
    public List<String> jobNames() {
        JsonNode r = get(root.newBuilder().addPathSegments("api/json")
                .addQueryParameter("tree", "jobs[name,url,jobs[name,url,jobs[name,url]]]"), null);
        List<String> out = new ArrayList<>();
        collect(r.path("jobs"), "", out);
        return out;
    }

    private static void collect(JsonNode jobs, String prefix, List<String> out) {
        for (JsonNode j : jobs) {
            String name = prefix + j.path("name").asText();
            if (j.has("jobs")) {
                collect(j.path("jobs"), name + "/", out);
            } else {
                out.add(name);
            }
        }
    }

    /**
     * Triggers {@code path}: {@code build} when {@code params} is null, else {@code buildWithParameters} with them
     * (an empty map: the job's defaults). Returns the queue item's id (a trigger folded into an item already queued
     * with the same parameters returns that item).
     *
     * @throws JenkinsException one line: unknown job, disabled (409), parameterized job without parameters (400), a
     *                          job that takes none given some, a refusal (401, 403)
     */
    public long trigger(String path, Map<String, String> params) {
        HttpUrl.Builder url = jobUrl(path).addPathSegment(params == null ? "build" : "buildWithParameters")
                .addQueryParameter("delay", "0sec");
        FormBody.Builder form = new FormBody.Builder();
        if (params != null) {
            params.forEach(form::add);
        }
        Answer a = post(url.build(), form.build());
        if (a.status == 201 || a.status == 303) {
            String location = a.location == null ? "" : a.location;
            HttpUrl loc = HttpUrl.parse(location);
            List<String> seg = loc == null ? List.of() : loc.pathSegments();
            int i = seg.indexOf("item");
            if (i > 0 && seg.get(i - 1).equals("queue") && i + 1 < seg.size()) {
                try {
                    return Long.parseLong(seg.get(i + 1));
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            throw new JenkinsException("Jenkins queued " + path + " but gave no queue item ("
                    + ServiceLines.cut(location, 80) + ")", a.status);
        }
        if (a.status == 302) {
            throw new JenkinsException("Jenkins did not queue " + path + " (it answered with a redirect to the job: "
                    + "a queue decision handler refused it, or the same build is already queued)", a.status);
        }
        if (a.status == 400) {
            if (params == null) {
                throw new JenkinsException("Jenkins job " + path + " is parameterized: give its parameters (params: "
                        + "{NAME: value}; params: {} takes its defaults) (400 Nothing is submitted)", 400);
            }
            throw new JenkinsException("Jenkins job " + path + " is not parameterized: drop params (400)", 400);
        }
        if (a.status == 409) {
            throw new JenkinsException("Jenkins job " + path + " is disabled: enable it first (409 not buildable)",
                    409);
        }
        throw failure(a, "trigger " + path, path);
    }

    /** The queue item {@code id}; empty once Jenkins forgot it (5 minutes after it left the queue, or a restart). */
    public Optional<QueueItem> queueItem(long id) {
        HttpUrl.Builder url = root.newBuilder().addPathSegments("queue/item").addPathSegment(Long.toString(id))
                .addPathSegments("api/json");
        Answer a = send(new Request.Builder().url(url.build()).get(), false);
        if (a.status == 404) {
            return Optional.empty();
        }
        JsonNode q = json(a, "read queue item " + id, null);
        boolean left = q.path("_class").asText().endsWith("$LeftItem");
        JsonNode exec = q.path("executable");
        Integer number = exec.isObject() && exec.has("number") ? exec.path("number").asInt() : null;
        String buildUrl = exec.isObject() ? exec.path("url").asText(null) : null;
        return Optional.of(new QueueItem(q.path("id").asLong(id), left, q.path("why").asText(null),
                q.path("cancelled").asBoolean(false), number, buildUrl));
    }

    /** The build of {@code path} that came from queue item {@code queueId}, when the queue forgot the item. */
    public Optional<Build> buildOfQueueItem(String path, long queueId) {
        JsonNode j = get(jobUrl(path).addPathSegments("api/json").addQueryParameter("tree",
                "builds[number,queueId,building,result,duration,url]{0,50}"), path);
        for (JsonNode b : j.path("builds")) {
            if (b.path("queueId").asLong(-1) == queueId) {
                return Optional.of(build(b));
            }
        }
        return Optional.empty();
    }

    /** Build {@code number} of {@code path}. */
    public Build build(String path, int number) {
        return build(get(jobUrl(path).addPathSegment(Integer.toString(number)).addPathSegments("api/json")
                .addQueryParameter("tree", "number,building,result,duration,url"), path));
    }

    private static Build build(JsonNode b) {
        JsonNode result = b.path("result");
        return new Build(b.path("number").asInt(), b.path("building").asBoolean(false),
                result.isTextual() ? result.asText() : null, Duration.ofMillis(b.path("duration").asLong(0)),
                b.path("url").asText(""));
    }

    /**
     * Cancels queue item {@code id}. True when cancelled; false when it had already left the queue (started: Jenkins
     * answers 500) or is unknown (404).
     */
    public boolean cancelQueueItem(long id) {
        HttpUrl url = root.newBuilder().addPathSegments("queue/cancelItem").addQueryParameter("id", Long.toString(id))
                .build();
        Answer a = post(url, new FormBody.Builder().build());
        if (a.status == 204 || a.status == 302 || a.status == 200) {
            return true;
        }
        if (a.status == 404 || a.status == 500) {
            return false;
        }
        throw failure(a, "cancel queue item " + id, null);
    }

    /** Stops build {@code number} of {@code path} (it ends ABORTED); a build that already ended is left as it is. */
    public void stop(String path, int number) {
        Answer a = post(jobUrl(path).addPathSegment(Integer.toString(number)).addPathSegment("stop").build(),
                new FormBody.Builder().build());
        if (a.status / 100 != 2 && a.status != 302) {
            throw failure(a, "stop " + path + " #" + number, path);
        }
    }

    /** Disables {@code path} (Jenkins cancels its queued items; its running builds go on). Idempotent. */
    public void disable(String path) {
        toggle(path, "disable");
    }

    /** Enables {@code path}. Idempotent. */
    public void enable(String path) {
        toggle(path, "enable");
    }

    private void toggle(String path, String action) {
        Answer a = post(jobUrl(path).addPathSegment(action).build(), new FormBody.Builder().build());
        if (a.status / 100 != 2 && a.status != 302) {
            throw failure(a, action + " " + path, path);
        }
    }

    /**
     * What keeps Jenkins busy: queued items, then running builds (regular and one-off executors, where Pipeline runs
     * are), of the jobs in {@code jobs} or of every job when it is empty. An executor busy with a run the user cannot
     * see counts only when {@code jobs} is empty. Empty when idle.
     */
    public List<Busy> busy(Collection<String> jobs) {
        List<Busy> out = new ArrayList<>();
        JsonNode queue = get(root.newBuilder().addPathSegments("queue/api/json")
                .addQueryParameter("tree", "items[id,why,task[name,url]]"), null);
        for (JsonNode item : queue.path("items")) {
            String job = jobOfUrl(item.path("task").path("url").asText(""));
            if (job == null) {
                job = item.path("task").path("name").asText(null);
            }
            if (matches(job, jobs)) {
                String why = item.path("why").asText("");
                out.add(new Busy(job, (job == null ? "queue item " + item.path("id").asLong() : job) + " queued"
                        + (why.isBlank() ? "" : " (" + ServiceLines.cut(why, 80) + ")")));
            }
        }
        JsonNode computers = get(root.newBuilder().addPathSegments("computer/api/json").addQueryParameter("tree",
                "computer[displayName,idle,executors[idle,currentExecutable[url]],"
                        + "oneOffExecutors[currentExecutable[url]]]"), null);
        Map<String, Busy> running = new LinkedHashMap<>();
        for (JsonNode c : computers.path("computer")) {
            int seen = 0;
            for (String key : List.of("executors", "oneOffExecutors")) {
                for (JsonNode e : c.path(key)) {
                    String url = e.path("currentExecutable").path("url").asText("");
                    if (url.isEmpty()) {
                        continue;
                    }
                    seen++;
                    String job = jobOfUrl(url);
                    if (matches(job, jobs)) {
                        String number = buildNumberOfUrl(url);
                        running.putIfAbsent(url, new Busy(job, (job == null ? url : job + " #" + number)
                                + " running"));
                    }
                }
            }
            if (seen == 0 && !c.path("idle").asBoolean(true) && jobs.isEmpty()) {
                String name = c.path("displayName").asText("a node");
                running.putIfAbsent("node:" + name, new Busy(null, name + " busy"));
            }
        }
        out.addAll(running.values());
        return out;
    }

    private static boolean matches(String job, Collection<String> jobs) {
        return jobs.isEmpty() || (job != null && jobs.stream().anyMatch(j -> j.equalsIgnoreCase(job)));
    }

    /** {@code a/b} of {@code http://host/job/a/job/b/12/} or {@code .../job/a/job/b/}; null when not a job URL. */
    static String jobOfUrl(String url) {
        HttpUrl u = HttpUrl.parse(url);
        if (u == null) {
            return null;
        }
        List<String> seg = u.pathSegments();
        List<String> names = new ArrayList<>();
        for (int i = 0; i + 1 < seg.size(); i++) {
            if (seg.get(i).equals("job")) {
                names.add(seg.get(i + 1));
                i++;
            }
        }
        return names.isEmpty() ? null : String.join("/", names);
    }

    private static String buildNumberOfUrl(String url) {
        HttpUrl u = HttpUrl.parse(url);
        if (u == null) {
            return "?";
        }
        List<String> seg = u.pathSegments().stream().filter(s -> !s.isEmpty()).toList();
        return seg.isEmpty() ? "?" : seg.get(seg.size() - 1);
    }

    /** {@code root/job/a/job/b/} of {@code a/b}. */
    private HttpUrl.Builder jobUrl(String path) {
        HttpUrl.Builder b = root.newBuilder();
        for (String name : path.split("/")) {
            b.addPathSegment("job").addPathSegment(name);
        }
        return b;
    }

    private JsonNode get(HttpUrl.Builder url, String jobPath) {
        Answer a = send(new Request.Builder().url(url.build()).get(), false);
        return json(a, "read " + (jobPath == null ? url.build().encodedPath() : jobPath), jobPath);
    }

    private JsonNode json(Answer a, String what, String jobPath) {
        if (a.status / 100 != 2) {
            throw failure(a, what, jobPath);
        }
        JsonNode n = Json.parse(a.body);
        if (n == null) {
            throw new JenkinsException("Jenkins answered " + what + " with no JSON", a.status);
        }
        return n;
    }

    private Answer post(HttpUrl url, RequestBody body) {
        Request.Builder r = new Request.Builder().url(url).post(body);
        Answer a = send(r, true);
        if (a.status == 403 && password && a.requiredPermission == null) {
            synchronized (crumbLock) {
                crumb = null;
            }
            a = send(r, true);
        }
        return a;
    }

    /** One exchange: status, Location, X-Required-Permission and up to 8 MiB of body. */
    private record Answer(int status, String location, String requiredPermission, String retryAfter, byte[] body) {
    }

    private Answer send(Request.Builder request, boolean post) {
        request.header("Authorization", basic()).header("Accept", "application/json");
        if (password) {
            Crumb c = post ? crumb() : crumb;
            if (c != null && c.cookie != null) {
                request.header("Cookie", c.cookie);
            }
            if (post && c != null && c.field != null) {
                request.header(c.field, c.value);
            }
        }
        try (Response r = http.newCall(request.build()).execute()) {
            byte[] body;
            try (InputStream in = r.body().byteStream()) {
                body = in.readNBytes(MAX_BODY);
            }
            return new Answer(r.code(), r.header("Location"), r.header("X-Required-Permission"),
                    r.header("Retry-After"), body);
        } catch (IOException e) {
            throw new JenkinsException(ServiceLines.unreachable("Jenkins", baseUrl, e), e);
        }
    }

    /** The crumb and session cookie of this client (password auth), fetched once. */
    private Crumb crumb() {
        synchronized (crumbLock) {
            if (crumb != null) {
                return crumb;
            }
            HttpUrl url = root.newBuilder().addPathSegments("crumbIssuer/api/json").build();
            Request request = new Request.Builder().url(url).get().header("Authorization", basic())
                    .header("Accept", "application/json").build();
            try (Response r = http.newCall(request).execute()) {
                byte[] body;
                try (InputStream in = r.body().byteStream()) {
                    body = in.readNBytes(MAX_BODY);
                }
                String cookie = cookies(r.headers("Set-Cookie"));
                if (r.code() == 404) {
                    crumb = new Crumb(null, null, cookie);
                    return crumb;
                }
                if (r.code() != 200) {
                    throw failure(new Answer(r.code(), null, r.header("X-Required-Permission"),
                            r.header("Retry-After"), body), "get a crumb", null);
                }
                JsonNode j = Json.parse(body);
                if (j == null || !j.path("crumb").isTextual()) {
                    throw new JenkinsException("Jenkins gave no crumb (crumbIssuer answered without one)", 200);
                }
                crumb = new Crumb(j.path("crumbRequestField").asText("Jenkins-Crumb"), j.path("crumb").asText(),
                        cookie);
                return crumb;
            } catch (IOException e) {
                throw new JenkinsException(ServiceLines.unreachable("Jenkins", baseUrl, e), e);
            }
        }
    }

    /** The {@code name=value} pairs of Set-Cookie headers, as one Cookie header; null when none. */
    private static String cookies(List<String> setCookies) {
        List<String> pairs = new ArrayList<>();
        for (String s : setCookies) {
            int semi = s.indexOf(';');
            pairs.add((semi < 0 ? s : s.substring(0, semi)).strip());
        }
        return pairs.isEmpty() ? null : String.join("; ", pairs);
    }

    private record Crumb(String field, String value, String cookie) {
    }

    private String basic() {
        String pair = user + ":" + secret.get();
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    /** The one line for a failed exchange. */
    private JenkinsException failure(Answer a, String what, String jobPath) {
        int s = a.status;
        String line;
        if (s == 401) {
            line = "Jenkins refused the credentials of " + ServiceLines.cut(user, 40) + " (401): check "
                    + "services.jenkins user and " + (password ? "password" : "token");
        } else if (s == 403) {
            line = a.requiredPermission != null
                    ? "Jenkins: " + ServiceLines.cut(user, 40) + " may not " + what + ": missing the "
                            + permission(a.requiredPermission) + " permission (403)"
                    : "Jenkins refused to " + what + " (403: a missing permission"
                            + (password ? ", or no valid crumb" : "") + ")";
        } else if (s == 404 && jobPath != null) {
            line = "no Jenkins job \"" + ServiceLines.cut(jobPath, 80) + "\"";
        } else if (s == 404) {
            line = "Jenkins has no " + what.replaceFirst("^read ", "") + " (404)";
        } else if (s == 429) {
            line = "Jenkins at " + ServiceLines.where(baseUrl) + " asks to slow down (429)";
        } else if (s == 502 || s == 503 || s == 504) {
            line = "Jenkins at " + ServiceLines.where(baseUrl) + " is not reachable: answered " + s;
        } else if (s >= 500) {
            line = "Jenkins failed to " + what + " (" + s + ")";
        } else {
            line = "Jenkins answered " + s + " to " + what;
        }
        Duration wait = RetryAfter.parse(a.retryAfter, Instant.now()).orElse(null);
        return new JenkinsException(ServiceLines.cut(line, 240), s, wait);
    }

    /** {@code Job/Build} for {@code hudson.model.Item.Build}, as Jenkins names it on its pages. */
    static String permission(String header) {
        String h = ServiceLines.cut(header, 80);
        return switch (h) {
            case "hudson.model.Item.Build" -> "Job/Build";
            case "hudson.model.Item.Configure" -> "Job/Configure";
            case "hudson.model.Item.Read" -> "Job/Read";
            case "hudson.model.Item.Cancel" -> "Job/Cancel";
            case "hudson.model.Hudson.Read" -> "Overall/Read";
            default -> h;
        };
    }

    private static URI withSlash(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? uri : URI.create(s + "/");
    }
}
