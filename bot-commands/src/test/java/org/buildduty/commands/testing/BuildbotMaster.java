package org.buildduty.commands.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Buildbot 3.7 master with one connected worker, for tests: Debian's {@code buildbot} and
 * {@code buildbot-worker}, daemonised, REST and PB bound to 127.0.0.1 on free ports, all files in one directory.
 *
 * <p>Builders: {@code quick} (echoes, succeeds in about a second), {@code failing} (exits 1), {@code slow} (sleeps
 * {@link #SLOW_SECONDS} s) and {@code echo-rev} (echoes its {@code branch} and {@code revision} properties). One
 * ForceScheduler {@code force} covers all four, with the default branch, revision and reason fields. The web API
 * logs in user {@link #user()} with {@link #password()} (generated per master); control endpoints need role
 * {@code admins}, which only that user has; reads are open to anyone. Debian ships no {@code buildbot-www}, so a stub
 * "base" www plugin is put on the master's {@code PYTHONPATH}; {@code buildbotNetUsageData} is off. Master and worker
 * run with a clean environment (the worker passes its environment into build steps).
 *
 * <p>{@link #close()} stops worker and master by the PIDs in their {@code twistd.pid} (SIGTERM, then SIGKILL after
 * 15 s), never by process group. Starting takes about 5 s: start one per test class. If buildbot is not installed,
 * {@link #start} fails with a message naming the Debian packages.
 *
 * <pre>{@code
 * try (BuildbotMaster bb = BuildbotMaster.start(tempDir)) {
 *     // GET bb.url() + "auth/login" with Basic bb.user():bb.password(), then POST api/v2/forceschedulers/force
 * }
 * }</pre>
 */
public final class BuildbotMaster implements AutoCloseable {
    /** The master's command, from Debian's {@code buildbot}. */
    public static final Path BUILDBOT = Path.of("/usr/bin/buildbot");
    /** The worker's command, from Debian's {@code buildbot-worker}. */
    public static final Path BUILDBOT_WORKER = Path.of("/usr/bin/buildbot-worker");
    /** How long a build of {@code slow} sleeps. */
    public static final int SLOW_SECONDS = 30;
    /** The builders, in the order of the configuration. */
    public static final List<String> BUILDERS = List.of("quick", "failing", "slow", "echo-rev");
    /** The one ForceScheduler. */
    public static final String SCHEDULER = "force";
    /** The worker's name. */
    public static final String WORKER = "w1";

    private static final String USER = "bot";
    private static final String RESOURCES = "/buildbot/";
    private static final List<String> STUB_FILES = List.of(
            "www-stub/buildbot_www/__init__.py",
            "www-stub/buildbot_www/VERSION",
            "www-stub/buildbot_www/static/index.html",
            "www-stub/buildbot_www-3.7.0.dist-info/METADATA",
            "www-stub/buildbot_www-3.7.0.dist-info/entry_points.txt");
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(60);
    private static final Duration WORKER_LIMIT = Duration.ofSeconds(30);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(15);

    private final Path dir;
    private final int wwwPort;
    private final String password;
    private final List<Long> pids = new ArrayList<>();

    private BuildbotMaster(Path dir, int wwwPort, String password) {
        this.dir = dir;
        this.wwwPort = wwwPort;
        this.password = password;
    }

    /**
     * Creates a master in {@code dir/master} and a worker in {@code dir/worker} ({@code dir} is created if missing),
     * starts both and returns once the worker is connected.
     */
    public static BuildbotMaster start(Path dir) throws IOException {
        if (!Files.isExecutable(BUILDBOT) || !Files.isExecutable(BUILDBOT_WORKER)) {
            throw new IllegalStateException(BUILDBOT + " or " + BUILDBOT_WORKER + " is not installed: install them"
                    + " (apt-get install buildbot buildbot-worker) to run the Buildbot tests");
        }
        Path root = dir.toAbsolutePath();
        Files.createDirectories(root);
        for (String f : STUB_FILES) {
            Path to = root.resolve(f);
            Files.createDirectories(to.getParent());
            Files.write(to, resource(f));
        }
        int www = freePort();
        int pb = freePort();
        while (pb == www) {
            pb = freePort();
        }
        String workerPassword = secret();
        BuildbotMaster m = new BuildbotMaster(root, www, secret());
        try {
            Process master = m.launch(true, "create-master", List.of(BUILDBOT.toString(), "create-master", "-r",
                    "master"));
            Process worker = m.launch(false, "create-worker", List.of(BUILDBOT_WORKER.toString(), "create-worker",
                    "-r", "worker", "127.0.0.1:" + pb, WORKER, workerPassword));
            m.await(master, "create-master");
            m.await(worker, "create-worker");
            String cfg = new String(resource("master.cfg.in"), StandardCharsets.UTF_8)
                    .replace("@WWWPORT@", Integer.toString(www))
                    .replace("@PBPORT@", Integer.toString(pb))
                    .replace("@PASSWORD@", m.password)
                    .replace("@WORKERPASS@", workerPassword)
                    .replace("@SLOWSECONDS@", Integer.toString(SLOW_SECONDS));
            Files.writeString(root.resolve("master/master.cfg"), cfg);
            m.await(m.launch(true, "start-master", List.of(BUILDBOT.toString(), "start", "master")), "start-master");
            m.pids.add(pid(root.resolve("master/twistd.pid")));
            m.await(m.launch(false, "start-worker", List.of(BUILDBOT_WORKER.toString(), "start", "worker")),
                    "start-worker");
            m.pids.add(0, pid(root.resolve("worker/twistd.pid")));
            m.awaitWorker();
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The web root, {@code http://127.0.0.1:PORT/}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + wwwPort + "/");
    }

    /** The user allowed to control builds ({@code bot}). */
    public String user() {
        return USER;
    }

    /** That user's password, generated for this master. */
    public String password() {
        return password;
    }

    /** The master's base directory (with {@code master.cfg}, {@code twistd.log} and {@code twistd.pid}). */
    public Path basedir() {
        return dir.resolve("master");
    }

    /** The worker's base directory. */
    public Path workerDir() {
        return dir.resolve("worker");
    }

    /** The master's log so far, for a failing test's message. */
    public String log() {
        return tail(basedir().resolve("twistd.log"));
    }

    /** Stops the master only (SIGTERM, then SIGKILL after 15 s); the worker keeps trying to reconnect. */
    public synchronized void stopMaster() {
        Path pidFile = basedir().resolve("twistd.pid");
        long pid;
        try {
            pid = pid(pidFile);
        } catch (IOException e) {
            return;
        }
        ProcessHandle.of(pid).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
        pids.remove(Long.valueOf(pid));
    }

    /** Starts the master again on the same ports, and waits until the worker is back. */
    public synchronized void startMaster() throws IOException {
        await(launch(true, "start-master", List.of(BUILDBOT.toString(), "start", "master")), "start-master");
        pids.add(pid(basedir().resolve("twistd.pid")));
        awaitWorker();
    }

    /** Stops worker and master; the same as {@link #close()}. */
    public void stop() {
        close();
    }

    /** Stops worker and master by PID (SIGTERM, then SIGKILL after 15 s). Idempotent. */
    @Override
    public synchronized void close() {
        for (long pid : pids) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            h.ifPresent(ProcessHandle::destroy);
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(h -> {
                try {
                    h.onExit().get(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
        pids.clear();
    }

    private Process launch(boolean master, String name, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("LANG", "C.UTF-8");
        if (master) {
            env.put("PYTHONPATH", dir.resolve("www-stub").toString());
        }
        return pb.start();
    }

    private void await(Process p, String name) throws IOException {
        try {
            if (!p.waitFor(COMMAND_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(name + " did not finish within " + COMMAND_LIMIT + ": "
                        + tail(dir.resolve(name + ".log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(name + " interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(name + " exited " + p.exitValue() + ": " + tail(dir.resolve(name + ".log"))
                    + " / master log: " + log());
        }
    }

    private void awaitWorker() throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(url().resolve("api/v2/workers"))
                .header("Accept", "application/json").timeout(Duration.ofSeconds(5)).build();
        ObjectMapper mapper = new ObjectMapper();
        long deadline = System.nanoTime() + WORKER_LIMIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200) {
                    for (JsonNode w : mapper.readTree(r.body()).path("workers")) {
                        if (w.path("connected_to").size() > 0) {
                            return;
                        }
                    }
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for the worker", e);
            } catch (IOException e) {
                last = e.toString();
            }
        }
        throw new IOException("the worker did not connect within " + WORKER_LIMIT + " (" + last + "); master log: "
                + log());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = BuildbotMaster.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("missing test resource " + RESOURCES + name);
            }
            return in.readAllBytes();
        }
    }

    private static long pid(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String secret() {
        SecureRandom random = new SecureRandom();
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no " + file.getFileName() + ")";
        }
    }
}
