package org.buildduty.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.connectors.testing.IrcNetwork;

/**
 * Load on the real bot, started as users start it ({@code ./buildduty}, so with the launcher's default heap and
 * {@code JAVA_OPTS}; {@code --bot-jar PATH} runs {@code java -jar PATH} with no JVM options) with an IRC connector (on
 * the Libera-like port of a real {@link IrcNetwork}, identity by hostmask) and its console connector;
 * {@code --users} IRC users (own connections, nicks {@code lu01..}) and the console send commands at once for
 * {@code --seconds}, while {@code --ops} operations started in #load stream a line every 0.1 s into the channel for
 * the whole run.
 *
 * <p>Each user is an {@link Asker} in a closed loop: a command from the mix ({@code !whoami}, {@code !help},
 * {@code !ops}, {@code !op <id>}) in a private message to the bot, then an unknown command carrying a token as a
 * marker; the lines before the marker's answer answer the command. Latency is from the send to the first line of the
 * answer, as read by the user's socket. After the deadline every user waits for its last answer. Printed: per kind
 * sent / answered / lost / p50 / p95 / p99 / max, the bot's flood budget, flood disconnects (the bot's QUIT seen in
 * the channel, the ircd's "Excess Flood" or "RecvQ exceeded", dropped output lines in the bot's log), the bot's RSS
 * (largest VmRSS sample, target at most 256 MiB) and CPU (utime + stime over the run).
 *
 * <pre>{@code
 * bench/run LoadBench                   # 50 users + the console, 5 streaming operations, 60 s
 * bench/run LoadBench --seconds 10      # smoke check
 * bench/run LoadBench --users 50 --ops 5 --think 2000 --answer-timeout 600 --flood-interval 500 --keep
 * }</pre>
 */
public final class LoadBench {
    private static final String USAGE = "bench/run LoadBench [--seconds 60] [--users 50] [--ops 5] [--think MS] "
            + "[--answer-timeout S] [--flood-interval MS] [--bot-jar PATH] [--keep]";
    private static final String BOT = "loadbot";
    private static final String CHANNEL = "#load";
    private static final String OPERATOR = "loadop";
    private static final List<String> KINDS = List.of("whoami", "help", "ops", "op", "unknown");

    private LoadBench() {
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = BenchArgs.parse(args, Set.of("keep"), USAGE);
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "60"));
        int users = Integer.parseInt(o.getOrDefault("users", "50"));
        int ops = Integer.parseInt(o.getOrDefault("ops", "5"));
        long thinkMs = Long.parseLong(o.getOrDefault("think", "2000"));
        Duration answerTimeout = Duration.ofSeconds(Long.parseLong(o.getOrDefault("answer-timeout", "600")));
        long floodMs = Long.parseLong(o.getOrDefault("flood-interval", "0"));
        Path jar = Path.of(o.getOrDefault("bot-jar", "bot-app/target/buildduty.jar"));
        boolean direct = o.containsKey("bot-jar");
        System.out.printf(Locale.ROOT, "machine: %d CPUs, %s %s, Java %s, load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Path dir = Files.createTempDirectory("buildduty-bench-load").toAbsolutePath();
        List<TimingClient> clients = new ArrayList<>();
        try (IrcNetwork net = IrcNetwork.start(dir.resolve("irc"))) {
            Path config = writeConfig(dir, net.floodPort(), floodMs, seconds);
            String flood = floodMs > 0 ? "a burst of 4, then 1 line per " + floodMs + " ms"
                    : "the default, a burst of 4, then 1 line/s";
            System.out.printf("network: %s on 127.0.0.1, every client and the bot on its Libera-like port %d "
                    + "(burst 5, then 2 lines/s); the bot's flood budget: %s%n", IrcNetwork.INSPIRCD,
                    net.floodPort(), flood);
            TimingClient operator = Responders.joined(net, OPERATOR, CHANNEL, null, null);
            clients.add(operator);
            ReplyQueue console = new ReplyQueue();
            // By default the bot runs as users start it, through ./buildduty and its default heap; --bot-jar runs
            // java -jar PATH with no JVM options (JAVA_TOOL_OPTIONS from BENCH_BOT_JAVA_OPTS aside).
            List<String> command = direct ? Responders.botCommand(jar, config) : Responders.launcherCommand(config);
            Map<String, String> env = direct ? Responders.botEnv(dir, null) : Responders.launcherEnv(dir, null);
            try (ChildProcess bot = ChildProcess.startPiped("buildduty", command, dir, env, dir.resolve("bot.out"),
                    console)) {
                awaitJoin(operator, bot);
                List<String> jvm = ProcStats.jvmOptions(bot.pid());
                System.out.println("the bot: " + (direct ? "java -jar " + jar : "./buildduty") + ", JVM options: "
                        + (jvm.isEmpty() ? "(none)" : String.join(" ", jvm)));
                ReplyQueue room = new ReplyQueue();
                operator.watch(BOT, CHANNEL);
                operator.forward(room);
                List<ReplyQueue> queues = new ArrayList<>();
                for (int i = 1; i <= users; i++) {
                    String nick = String.format(Locale.ROOT, "lu%02d", i);
                    TimingClient c = Responders.joined(net, nick, CHANNEL, null, null);
                    clients.add(c);
                    ReplyQueue q = new ReplyQueue();
                    c.watch(BOT, nick);
                    c.forward(q);
                    queues.add(q);
                }
                List<Long> opIds = startOperations(operator, room, ops);
                System.out.printf("%d users joined %s; %d operations streaming: #%s%n", users, CHANNEL, ops,
                        opIds.stream().map(String::valueOf).reduce((a, b) -> a + ", #" + b).orElse("none"));
                run(bot, clients.subList(1, clients.size()), queues, console, opIds, seconds, thinkMs, answerTimeout,
                        operator, room, dir, flood, jvm.isEmpty() ? "no JVM options" : String.join(" ", jvm));
                bot.closeInput();
                bot.waitFor(20);
            }
        } finally {
            for (TimingClient c : clients) {
                c.close();
            }
            if (o.containsKey("keep")) {
                System.out.println("kept " + dir + " (config, runbook, bot.out, bot.log, irc/logs)");
            } else {
                BenchArgs.deleteTree(dir);
            }
        }
    }

    private static void run(ChildProcess bot, List<TimingClient> users, List<ReplyQueue> queues, ReplyQueue console,
            List<Long> opIds, int seconds, long thinkMs, Duration answerTimeout, TimingClient operator,
            ReplyQueue room, Path dir, String flood, String jvm) throws Exception {
        Map<String, Latencies> irc = kinds("IRC ");
        Map<String, Latencies> con = kinds("console ");
        IntFunction<String> mix = r -> r < 40 ? "!whoami" : r < 60 ? "!ops" : r < 90
                ? "!op " + opIds.get(r % opIds.size()) : "!help";
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        long cpu0 = ProcStats.cpuTicks(bot.pid());
        List<Asker> askers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            TimingClient c = users.get(i);
            String nick = String.format(Locale.ROOT, "lu%02d", i + 1);
            askers.add(new Asker(nick, line -> c.send("PRIVMSG " + BOT + " :" + line), queues.get(i),
                    "load:" + nick + "!", irc, mix, deadline, answerTimeout, thinkMs, i));
        }
        askers.add(new Asker("console", bot::writeLine, console, "console:local", con, mix, deadline, answerTimeout,
                thinkMs, -1));
        for (Asker a : askers) {
            Thread t = new Thread(a, "asker");
            t.start();
            threads.add(t);
        }
        System.out.printf("sending for %d s: %d IRC users (private messages) and the console, each in a closed loop "
                + "(command + marker, wait for the answer, think %d-%d ms)%n", seconds, users.size(), thinkMs / 2,
                thinkMs * 3 / 2);
        AtomicLong maxRss = new AtomicLong();
        Thread sampler = new Thread(() -> sample(bot.pid(), maxRss), "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        for (Thread t : threads) {
            t.join();
        }
        long end = System.nanoTime();
        double cpuS = (ProcStats.cpuTicks(bot.pid()) - cpu0) / ProcStats.TICKS_PER_SECOND;
        sampler.interrupt();
        double wallS = (end - start) / 1e9;
        report(irc, con, askers, seconds, wallS, cpuS, maxRss.get(), flood, jvm);
        disconnects(operator, room, dir, bot);
    }

    private static void report(Map<String, Latencies> irc, Map<String, Latencies> con, List<Asker> askers,
            int seconds, double wallS, double cpuS, long maxRssKb, String flood, String jvm) {
        Latencies all = new Latencies("all");
        Latencies ircAll = new Latencies("IRC (all)");
        System.out.println();
        System.out.println("kind                     sent answered  lost wrong     p50 ms     p95 ms     p99 ms"
                + "     max ms");
        for (Latencies l : irc.values()) {
            System.out.println(l.row());
            all.addAll(l);
            ircAll.addAll(l);
        }
        for (Latencies l : con.values()) {
            System.out.println(l.row());
            all.addAll(l);
        }
        System.out.println(ircAll.row());
        System.out.println(all.row());
        for (Asker a : askers) {
            if (a.failure() != null) {
                System.out.println("stopped early: " + a.failure());
            }
        }
        int lost = all.sentCount() - all.answeredCount();
        System.out.printf(Locale.ROOT, "%d s of sending; the last answer came %.1f s after the start%n", seconds,
                wallS);
        System.out.printf(Locale.ROOT, "bot RSS: %.1f MiB at most; bot CPU: %.2f s in %.1f s = %.1f%% of one core%n",
                maxRssKb / 1024.0, cpuS, wallS, 100 * cpuS / wallS);
        BenchArgs.result("load: commands answered (IRC users + console)", "every command answered",
                all.answeredCount() + "/" + all.sentCount());
        BenchArgs.result("load: commands lost", "0", Integer.toString(lost));
        BenchArgs.result("load: wrong answers (whoami not the asker's, marker not its own)", "0",
                Integer.toString(all.wrongCount()));
        BenchArgs.result("load: IRC command latency p50 / p99 (flood budget: " + flood + ")", "reported",
                String.format(Locale.ROOT, "%.0f / %.0f ms", ircAll.percentileMs(50), ircAll.percentileMs(99)));
        Latencies c = new Latencies("console");
        con.values().forEach(c::addAll);
        BenchArgs.result("load: console command latency p50 / p99", "reported",
                String.format(Locale.ROOT, "%.1f / %.1f ms", c.percentileMs(50), c.percentileMs(99)));
        BenchArgs.result("load: bot RSS (max; " + jvm + ")", "≤ 256 MiB", String.format(Locale.ROOT, "%.1f MiB",
                maxRssKb / 1024.0));
        BenchArgs.result("load: bot CPU", "reported", String.format(Locale.ROOT, "%.1f s in %.0f s (%.1f%% of one "
                + "core)", cpuS, wallS, 100 * cpuS / wallS));
    }

    /** Flood disconnects: the bot's QUIT in the channel, the ircd's kill reasons, the bot's own log. */
    private static void disconnects(TimingClient operator, ReplyQueue room, Path dir, ChildProcess bot)
            throws IOException {
        boolean quit = operator.saw(l -> l.startsWith(":" + BOT + "!") && l.contains(" QUIT "));
        String ircd = read(dir.resolve("irc/logs/inspircd.log"));
        int floodKills = count(ircd, "Excess Flood") + count(ircd, "RecvQ exceeded");
        String log = read(dir.resolve("bot.log"));
        int dropped = count(log, "output queue full");
        int reconnects = count(log, "connector load: ") - 1;
        System.out.printf("the bot's IRC connection: %s; ircd flood kills: %d; connector state changes after the "
                + "first: %d; 'output queue full' warnings: %d; bot %s%n", quit ? "QUIT seen" : "stayed up",
                floodKills, Math.max(0, reconnects), dropped, bot.alive() ? "alive" : "EXITED");
        System.out.printf("progress lines the operations posted to %s (seen by a member): %d%n", CHANNEL,
                room.pending());
        BenchArgs.result("load: flood disconnects of the bot", "0", Integer.toString((quit ? 1 : 0) + floodKills));
    }

    private static Map<String, Latencies> kinds(String prefix) {
        Map<String, Latencies> m = new LinkedHashMap<>();
        for (String k : KINDS) {
            m.put(k, new Latencies(prefix + (k.equals("unknown") ? "!zz<token> (unknown)" : k.equals("op")
                    ? "!op <id>" : "!" + k)));
        }
        return m;
    }

    private static void sample(long pid, AtomicLong maxRss) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                maxRss.accumulateAndGet(ProcStats.rssKb(pid), Math::max);
                Thread.sleep(500);
            }
        } catch (IOException | InterruptedException e) {
            // The bot ended or the run is over.
        }
    }

    private static void awaitJoin(TimingClient operator, ChildProcess bot) {
        try {
            operator.await(l -> l.startsWith(":" + BOT + "!") && l.contains(" JOIN "), Responders.JOIN_WAIT);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("the bot did not join " + CHANNEL + "; its output:\n" + bot.tail(3000), e);
        }
    }

    /** The operator starts {@code n} streaming operations in the channel; returns their ids. */
    private static List<Long> startOperations(TimingClient operator, ReplyQueue room, int n)
            throws InterruptedException {
        for (int i = 0; i < n; i++) {
            operator.send("PRIVMSG " + CHANNEL + " :!run stream");
        }
        List<Long> ids = new ArrayList<>();
        Pattern started = Pattern.compile("stream #(\\d+) started");
        while (ids.size() < n) {
            List<ReplyQueue.Line> got = room.takeThrough(" started", Duration.ofSeconds(60));
            if (got.isEmpty()) {
                throw new IllegalStateException("only " + ids.size() + " of " + n + " operations started");
            }
            Matcher m = started.matcher(got.get(got.size() - 1).text());
            if (m.find()) {
                ids.add(Long.parseLong(m.group(1)));
            }
        }
        return ids;
    }

    private static Path writeConfig(Path dir, int port, long floodMs, int seconds) throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        int lines = (seconds + 600) * 10;
        Files.writeString(dir.resolve("runbooks/stream.yml"), String.join("\n",
                "name: stream",
                "description: streams a line every 0.1 s for the whole load run",
                "role: releng",
                "exclusive: none",
                "steps:",
                "  - name: stream",
                "    local:",
                "      command: \"for i in $(seq 1 " + lines + "); do echo line $i; sleep 0.1; done\"",
                "    timeout: 1h",
                ""));
        Path config = dir.resolve("load.yml");
        List<String> yaml = new ArrayList<>(Responders.ircConfigHead(BOT, dir, "bd.db", "load", port,
                "  anonymous: true"));
        yaml.addAll(List.of(
                "    identity: hostmask",
                "    channels: [\"" + CHANNEL + "\"]",
                floodMs > 0 ? "    flood: { burst: 4, interval: " + floodMs + "ms }" : "",
                "  - id: console",
                "    type: console",
                "roles:",
                "  releng: [\"load:" + OPERATOR + "!*@127.0.0.1\"]",
                ""));
        Files.writeString(config, String.join("\n", yaml));
        return config;
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
