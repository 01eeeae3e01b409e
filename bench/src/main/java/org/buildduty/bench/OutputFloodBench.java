package org.buildduty.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The bot's memory while one step prints a flood of output: the real bot, started as users start it
 * ({@code ./buildduty}, so with the launcher's default heap and {@code JAVA_OPTS}), with the console connector and
 * the web page on, runs a runbook whose one local step prints {@code --lines} lines of about 80 characters
 * ({@code seq -f}). {@code --viewers} clients follow the operation's live log ({@code /ops/1/events}) the whole time.
 * Printed: the bot's RSS (largest VmRSS, sampled every 0.25 s; target at most 256 MiB), its RSS once the operation
 * has ended, the time from {@code !run} to the operation's end line on the console, the bot's CPU, and the lines each
 * viewer received.
 *
 * <pre>{@code
 * bench/run OutputFloodBench                       # 1,000,000 lines, 1 live viewer, ./buildduty's default heap
 * JAVA_OPTS=-Xmx64m bench/run OutputFloodBench     # the launcher's default, then these options
 * bench/run OutputFloodBench --bot-jar bot-app/target/buildduty.jar   # java -jar, no JVM options (no heap bound)
 * bench/run OutputFloodBench --lines 100000 --viewers 0 --keep
 * }</pre>
 */
public final class OutputFloodBench {
    private static final String USAGE = "bench/run OutputFloodBench [--lines 1000000] [--viewers 1] [--bot-jar PATH] "
            + "[--timeout S] [--keep]";
    private static final Pattern END = Pattern.compile("flood #1 .* steps · (succeeded|failed|cancelled)");

    private OutputFloodBench() {
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = BenchArgs.parse(args, Set.of("keep"), USAGE);
        long lines = Long.parseLong(o.getOrDefault("lines", "1000000"));
        int viewers = Integer.parseInt(o.getOrDefault("viewers", "1"));
        long timeoutS = Long.parseLong(o.getOrDefault("timeout", "600"));
        boolean direct = o.containsKey("bot-jar");
        Path jar = Path.of(o.getOrDefault("bot-jar", "bot-app/target/buildduty.jar"));
        System.out.printf(Locale.ROOT, "machine: %d CPUs, %s %s, Java %s, load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Path dir = Files.createTempDirectory("buildduty-bench-flood").toAbsolutePath();
        List<Thread> viewerThreads = new ArrayList<>();
        try {
            int port = freePort();
            Path config = writeConfig(dir, port, lines);
            List<String> command = direct ? Responders.botCommand(jar, config) : Responders.launcherCommand(config);
            Map<String, String> env = direct ? Responders.botEnv(dir, null) : Responders.launcherEnv(dir, null);
            Path out = dir.resolve("bot.out");
            try (ChildProcess bot = ChildProcess.start("buildduty", command, dir, env, out)) {
                awaitStarted(bot, out, port);
                List<String> jvm = ProcStats.jvmOptions(bot.pid());
                String jvmText = jvm.isEmpty() ? "no JVM options" : String.join(" ", jvm);
                System.out.printf(Locale.ROOT, "the bot: %s, JVM options: %s; RSS at start %.1f MiB%n",
                        direct ? "java -jar " + jar : "./buildduty", jvmText, ProcStats.rssKb(bot.pid()) / 1024.0);
                long cpu0 = ProcStats.cpuTicks(bot.pid());
                long t0 = System.nanoTime();
                bot.writeLine("!run flood");
                List<AtomicLong> received = new ArrayList<>();
                for (int i = 0; i < viewers; i++) {
                    AtomicLong n = new AtomicLong();
                    received.add(n);
                    Thread t = new Thread(() -> follow(port, n), "viewer-" + i);
                    t.setDaemon(true);
                    t.start();
                    viewerThreads.add(t);
                }
                long maxRss = 0;
                String end = null;
                long deadline = t0 + timeoutS * 1_000_000_000L;
                while (end == null) {
                    if (!bot.alive()) {
                        throw new IllegalStateException("the bot exited: " + bot.tail(3000));
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the operation did not end within " + timeoutS + " s: "
                                + bot.tail(2000));
                    }
                    maxRss = Math.max(maxRss, ProcStats.rssKb(bot.pid()));
                    end = endLine(out);
                    Thread.sleep(250);
                }
                double wallS = (System.nanoTime() - t0) / 1e9;
                double cpuS = (ProcStats.cpuTicks(bot.pid()) - cpu0) / ProcStats.TICKS_PER_SECOND;
                for (Thread t : viewerThreads) {
                    t.join(30_000);
                }
                maxRss = Math.max(maxRss, ProcStats.rssKb(bot.pid()));
                Thread.sleep(2000);
                long afterRss = ProcStats.rssKb(bot.pid());
                System.out.println("end: " + end);
                System.out.printf(Locale.ROOT, "a step printing %,d lines: %.1f s from !run to the end line; "
                        + "%.1f s of bot CPU%n", lines, wallS, cpuS);
                for (int i = 0; i < received.size(); i++) {
                    System.out.printf(Locale.ROOT, "viewer %d of /ops/1/events received %,d lines%n", i + 1,
                            received.get(i).get());
                }
                System.out.printf(Locale.ROOT, "bot RSS: %.1f MiB at most (target ≤ 256 MiB), %.1f MiB 2 s after "
                        + "the end%n", maxRss / 1024.0, afterRss / 1024.0);
                String what = String.format(Locale.ROOT, "a step printing %,d lines, %d live viewer%s; %s", lines,
                        viewers, viewers == 1 ? "" : "s", jvmText);
                BenchArgs.result("output flood: bot RSS (max), " + what, "≤ 256 MiB",
                        String.format(Locale.ROOT, "%.1f MiB (%.1f MiB after the end)", maxRss / 1024.0,
                                afterRss / 1024.0));
                BenchArgs.result("output flood: time from !run to the end, " + what, "reported",
                        String.format(Locale.ROOT, "%.1f s (bot CPU %.1f s)%s", wallS, cpuS,
                                end.contains("succeeded") ? "" : "; " + end));
                bot.closeInput();
                bot.waitFor(20);
            }
        } finally {
            if (o.containsKey("keep")) {
                System.out.println("kept " + dir + " (config, runbook, bot.out, bot.log, journal)");
            } else {
                BenchArgs.deleteTree(dir);
            }
        }
    }

    /** Waits until the web page answers (the bot is up); throws with the bot's output if it exits first. */
    private static void awaitStarted(ChildProcess bot, Path out, int port) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!bot.alive()) {
                throw new IllegalStateException("the bot exited: " + bot.tail(3000));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/healthz")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() < 500) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the bot's web page did not answer within 120 s: " + bot.tail(3000));
    }

    /** Follows {@code /ops/1/events} until its end event, counting line events; retries until the operation exists. */
    private static void follow(int port, AtomicLong received) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ops/1/events")).build();
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                HttpResponse<Stream<String>> r = http.send(req, HttpResponse.BodyHandlers.ofLines());
                if (r.statusCode() != 200) {
                    r.body().close();
                    Thread.sleep(100);
                    continue;
                }
                try (Stream<String> body = r.body()) {
                    body.takeWhile(l -> !l.equals("event: end")).forEach(l -> {
                        if (l.equals("event: line")) {
                            received.incrementAndGet();
                        }
                    });
                }
                return;
            } catch (IOException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The operation's end line on the console, looked for in the last 8 KiB of the bot's output; null until then. */
    private static String endLine(Path out) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "r")) {
            long from = Math.max(0, f.length() - 8192);
            byte[] tail = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(tail);
            Matcher m = END.matcher(new String(tail, StandardCharsets.UTF_8));
            return m.find() ? m.group() : null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path writeConfig(Path dir, int port, long lines) throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/flood.yml"), String.join("\n",
                "name: flood",
                "description: one local step that prints " + lines + " lines",
                "role: anyone",
                "steps:",
                "  - name: flood",
                "    local:",
                "      command: \"seq -f 'line %07.0f of the flood step, padded to about eighty characters of text' 1 "
                        + lines + "\"",
                "    timeout: 1h",
                ""));
        Path config = dir.resolve("flood.yml");
        Files.writeString(config, String.join("\n",
                "bot:",
                "  prefix: \"!\"",
                "  journal: " + dir.resolve("bd.db"),
                "  runbooks: " + dir.resolve("runbooks"),
                "  web: 127.0.0.1:" + port,
                "connectors:",
                "  - id: console",
                "    type: console",
                ""));
        return config;
    }
}
