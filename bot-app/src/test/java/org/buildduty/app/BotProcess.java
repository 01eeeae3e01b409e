package org.buildduty.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The real {@code buildduty.jar} in a child JVM, driven through the console connector: lines in on stdin, lines out
 * on stdout, as a person at the terminal would.
 */
final class BotProcess implements AutoCloseable {
    private final Process process;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private int cursor;
    private int errCursor;

    private BotProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), out, "stdout");
        pump(process.getErrorStream(), err, "stderr");
    }

    /** The shaded jar built by {@code package}; failsafe runs after it. */
    static Path jar() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("buildduty.unitTestPhase"),
                "an integration test: failsafe runs it against the packaged jar (a -Dtest pattern matched it)");
        Path jar = Path.of("target", "buildduty.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("run `mvn verify`: " + jar + " is missing");
        }
        return jar;
    }

    /**
     * Copies the shipped {@code config/} folder into {@code dir/config}, with the status page on a free port
     * ({@code web: 127.0.0.1:0}) instead of 8080, so bots of parallel tests never compete for it.
     */
    static void copyShippedConfig(Path dir) throws IOException {
        Path repoConfig = Path.of("..", "config").toAbsolutePath().normalize();
        try (Stream<Path> files = Files.walk(repoConfig)) {
            for (Path p : files.toList()) {
                Path to = dir.resolve("config").resolve(repoConfig.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        Path cfg = dir.resolve("config/buildduty.yml");
        String text = Files.readString(cfg);
        String shipped = "web: 127.0.0.1:8080";
        if (!text.contains(shipped)) {
            throw new IllegalStateException("the shipped config has no \"" + shipped + "\" to move to a free port");
        }
        Files.writeString(cfg, text.replace(shipped, "web: 127.0.0.1:0"));
    }

    /** Starts the bot in {@code dir} with {@code config} (relative to dir). */
    static BotProcess start(Path dir, String config) throws IOException {
        return start(dir, List.of("--config", config));
    }

    /** Starts the jar in {@code dir} with these arguments. */
    static BotProcess start(Path dir, List<String> args) throws IOException {
        return start(dir, args, Map.of());
    }

    /** Starts the jar in {@code dir} with these arguments and extra environment variables (secrets). */
    static BotProcess start(Path dir, List<String> args, Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-jar", jar().toString()));
        command.addAll(args);
        return launch(dir, command, env);
    }

    /**
     * Starts the jar with {@code --config config} under a file-size limit of {@code kib} KiB for every file it writes
     * (the shell's {@code ulimit -f}, SIGXFSZ ignored), as a journal disk that has filled up.
     */
    static BotProcess startWithFileSizeLimit(Path dir, String config, long kib) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // sqlite-jdbc would copy its native library (over 1 MB) to /tmp at start-up: give it one copied beforehand
        Path lib = dir.resolve("sqlite-native");
        Files.createDirectories(lib);
        String resource = "/org/sqlite/native/" + org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS()
                + "/libsqlitejdbc.so";
        try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no " + resource + " in sqlite-jdbc");
            }
            Files.copy(in, lib.resolve("libsqlitejdbc.so"), StandardCopyOption.REPLACE_EXISTING);
        }
        String line = "trap '' XFSZ; ulimit -f " + kib + "; exec \"$0\" -XX:-UsePerfData -Dorg.sqlite.lib.path=\"$3\""
                + " -Dorg.sqlite.lib.name=libsqlitejdbc.so -jar \"$1\" --config \"$2\"";
        return launch(dir, List.of("bash", "-c", line, javaBin, jar().toString(), config, lib.toString()),
                Map.of());
    }

    private static BotProcess launch(Path dir, List<String> command, Map<String, String> env)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("BUILDDUTY_LOG_FILE", dir.resolve("buildduty.log").toString());
        pb.environment().putAll(env);
        return new BotProcess(pb.start());
    }

    private static void pump(InputStream in, List<String> sink, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (sink) {
                        sink.add(line);
                        sink.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "bot-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Types one line. */
    BotProcess type(String line) throws IOException {
        OutputStream stdin = process.getOutputStream();
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        return this;
    }

    /** Types raw bytes (invalid UTF-8, say) and a newline. */
    BotProcess typeBytes(byte[] line) throws IOException {
        OutputStream stdin = process.getOutputStream();
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
        return this;
    }

    /** Waits for a stdout line containing {@code text} after the last one matched; returns the lines up to it. */
    List<String> expect(String text, Duration max) throws InterruptedException {
        return expect(out, "stdout", text, max);
    }

    /** Waits for a stderr line containing {@code text} after the last stderr line matched. */
    List<String> expectErr(String text, Duration max) throws InterruptedException {
        return expect(err, "stderr", text, max);
    }

    private List<String> expect(List<String> lines, String name, String text, Duration max)
            throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        synchronized (lines) {
            while (true) {
                int from = lines == out ? cursor : errCursor;
                for (int i = from; i < lines.size(); i++) {
                    if (lines.get(i).contains(text)) {
                        List<String> got = new ArrayList<>(lines.subList(from, i + 1));
                        if (lines == out) {
                            cursor = i + 1;
                        } else {
                            errCursor = i + 1;
                        }
                        return got;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + name + " line containing \"" + text + "\" within " + max
                            + "\n" + name + " after cursor: " + lines.subList(from, lines.size()) + "\nstderr: "
                            + (lines == out ? stderr() : ""));
                }
                lines.wait(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        }
    }

    /** Every stdout line so far. */
    List<String> stdout() {
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    List<String> stderr() {
        synchronized (err) {
            return List.copyOf(err);
        }
    }

    /** Closes stdin (Ctrl-D) and waits for the exit status. */
    int endInput(Duration max) throws IOException, InterruptedException {
        process.getOutputStream().close();
        return waitFor(max);
    }

    int waitFor(Duration max) throws InterruptedException {
        if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("bot did not exit within " + max + "; stderr: " + stderr());
        }
        return process.exitValue();
    }

    /** Sends SIGHUP to the bot's JVM (the jar runs as the child process itself), as {@code kill -HUP} would. */
    void hangup() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -HUP " + process.pid() + " failed");
        }
    }

    /** The bot's JVM's process id. */
    long pid() {
        return process.pid();
    }

    /** True until the process has exited. */
    boolean alive() {
        return process.isAlive();
    }

    /** Sends {@code kill -NAME} to the bot's JVM: STOP pauses it (a hung host or VM), CONT resumes it. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** SIGTERM, as {@code kill PID} or a service manager's stop would, and the exit status. */
    int terminate(Duration max) throws InterruptedException {
        process.destroy();
        return waitFor(max);
    }

    /** SIGKILL, as a crash or an OOM kill would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                signal("CONT");   // a paused JVM ignores SIGTERM until it runs again
            } catch (IOException | InterruptedException | AssertionError e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (process.isAlive()) {
            process.destroy();
            awaitExit(15);
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            awaitExit(10);
        }
    }

    /** Waits up to {@code seconds} for the process to exit; an interrupt ends the wait and stays set. */
    private void awaitExit(long seconds) {
        try {
            process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls {@code condition} every 20 ms until it holds; fails naming {@code what} after {@code max}. */
    static void awaitCondition(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(what + ": not within " + max);
            }
            Thread.sleep(20);
        }
    }
}
