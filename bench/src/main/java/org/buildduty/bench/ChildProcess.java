package org.buildduty.bench;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A process the bench starts (a peer bot or buildduty itself), its output in a log file. {@link #close()} stops it
 * by its PID (SIGTERM, then SIGKILL after 10 s); a shutdown hook does the same if the bench is interrupted.
 */
final class ChildProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final Thread hook;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.hook = new Thread(this::stop, "stop-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts {@code command} in {@code dir} with exactly {@code env} as its environment, output to {@code log}. */
    static ChildProcess start(String name, List<String> command, Path dir, Map<String, String> env, Path log)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return new ChildProcess(name, pb.start(), log);
    }

    /**
     * Like {@link #start}, but the standard output is read line by line: each line goes to {@code stdout}, stamped
     * with {@link System#nanoTime()} when read, and is appended to {@code log} (which also takes the standard error).
     */
    static ChildProcess startPiped(String name, List<String> command, Path dir, Map<String, String> env, Path log,
            ReplyQueue stdout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        ChildProcess p = new ChildProcess(name, pb.start(), log);
        Thread reader = new Thread(() -> p.copyLines(stdout), "stdout-" + name);
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /**
     * Like {@link #startPiped}, and the standard error is read the same way into {@code stderr} (also appended to
     * {@code log}): {@link FailoverBench} times the bot's {@code buildduty ready} line, which goes there.
     */
    static ChildProcess startPiped(String name, List<String> command, Path dir, Map<String, String> env, Path log,
            ReplyQueue stdout, ReplyQueue stderr) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        ChildProcess p = new ChildProcess(name, pb.start(), log);
        Thread out = new Thread(() -> p.copyLines(p.process.getInputStream(), stdout), "stdout-" + name);
        Thread err = new Thread(() -> p.copyLines(p.process.getErrorStream(), stderr), "stderr-" + name);
        for (Thread t : List.of(out, err)) {
            t.setDaemon(true);
            t.start();
        }
        return p;
    }

    private void copyLines(ReplyQueue stdout) {
        copyLines(process.getInputStream(), stdout);
    }

    private void copyLines(InputStream stream, ReplyQueue stdout) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
                OutputStream copy = new FileOutputStream(log.toFile(), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                stdout.add(line, System.nanoTime());
                copy.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The process ended.
        } finally {
            stdout.close();
        }
    }

    /** Writes one line to the process's standard input (buildduty's console connector reads commands there). */
    synchronized void writeLine(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The exit status; the process must have ended. */
    int exitValue() {
        return process.exitValue();
    }

    /** SIGKILL at once (kill -9): no shutdown hook, no last line. */
    void kill() {
        process.destroyForcibly();
    }

    /** Closes the process's standard input (buildduty's console connector stops at its end). */
    void closeInput() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits up to {@code seconds} for the process to end; true if it did. */
    boolean waitFor(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** The last {@code max} characters of the output, for error messages. */
    String tail(int max) {
        try {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            return text.length() > max ? text.substring(text.length() - max) : text;
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Reads a classpath resource as UTF-8. */
    static String resource(String name) throws IOException {
        try (InputStream in = ChildProcess.class.getResourceAsStream(name)) {
            Objects.requireNonNull(in, "resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                System.err.println(name + " (pid " + process.pid() + ") ignored SIGTERM; killing it");
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down.
        }
    }
}
