package org.buildduty.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import org.buildduty.connectors.testing.IrcNetwork;

/**
 * Measures the command round trip of buildduty and of the peer bots side by side, in one interleaved run on one real
 * local IRC server (InspIRCd + Atheme, {@link IrcNetwork}), every bot and client on its Libera-like port (a burst of 5
 * lines, then 2 lines/s). Each target is asked by its own {@link TimingClient} in private messages, and the round trip
 * runs from the moment before the socket write to the moment the reply is read. The targets:
 *
 * <ul>
 *   <li>{@code raw echo}: the physical limit, a raw-socket client that echoes {@code !echo TOKEN} with no work at all
 *       ({@link RawEchoPeer});</li>
 *   <li>{@code hubot} 3.5 with hubot-irc (npm, installed by {@code npm ci} in {@code bench/peers/hubot}),
 *       {@code !echo TOKEN};</li>
 *   <li>{@code errbot} (Debian's, IRC backend), {@code !echo TOKEN};</li>
 *   <li>{@code Limnoria} (Debian's), {@code !echo TOKEN};</li>
 *   <li>{@code buildduty} as users start it ({@code ./buildduty}, with the launcher's JVM options; {@code --bot-jar
 *       PATH} runs {@code java -jar PATH} instead, with none), {@code !whoami} (one line).</li>
 * </ul>
 *
 * <p>A peer that is not installed, or does not start, is left out with one line saying so. The run is made of rounds,
 * {@code --spacing} ms apart; each round asks each target once, in turn, {@code spacing / targets} apart, the order
 * rotating by one target every round. A request waits at most until the next one's turn, so no two are ever in flight
 * at once. The first {@code --warmup} rounds are not counted (JIT, caches). Prints p50/p95/p99/max per target, the
 * same rows as a Markdown table for bench/RESULTS.md, the ratios of buildduty to each, and whether its targets are
 * met: p50 below every peer's, p50 within 1.5x the raw echo's, p99 at most 5 ms and below every peer's.
 *
 * <pre>{@code
 * bench/run IrcRoundTripBench                 # 300 rounds (+ 20 warm-up), 1.3 s apart: about 7 minutes
 * bench/run IrcRoundTripBench --quick         # 50 rounds
 * bench/run IrcRoundTripBench --rounds 200 --spacing 1300 --warmup 20 --keep
 * }</pre>
 *
 * <p>{@code --flood-interval} sets the bot's {@code flood.interval} (default: the bot's default, 1 s; answers to
 * commands are not held back by the room's pace, only by the connection's). {@code --hubot DIR} is the hubot
 * installation (default {@code bench/peers/hubot}). {@code --keep} keeps the temp directory (configs, every bot's
 * output). Environment: {@code BENCH_DEBUG=1} prints every line the timing clients receive; {@code
 * BENCH_BOT_JAVA_OPTS} is passed to the bot's JVM as {@code JAVA_TOOL_OPTIONS} (to try JVM flags or another logback
 * configuration).
 */
public final class IrcRoundTripBench {
    private static final String BOT_JAR = "bot-app/target/buildduty.jar";
    private static final String HUBOT_DIR = "bench/peers/hubot";
    private static final double P99_LIMIT_MS = 5.0;
    private static final double RAW_FACTOR = 1.5;

    private IrcRoundTripBench() {
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = BenchArgs.parse(args, Set.of("quick", "keep"), "--quick, --rounds N, "
                + "--spacing MS, --warmup N, --flood-interval MS, --bot-jar PATH, --hubot DIR, --keep");
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", opts.containsKey("quick") ? "50" : "300"));
        long spacingMs = Long.parseLong(opts.getOrDefault("spacing", "1300"));
        int warmUp = Integer.parseInt(opts.getOrDefault("warmup", "20"));
        Path jar = Path.of(opts.getOrDefault("bot-jar", BOT_JAR));
        boolean direct = opts.containsKey("bot-jar");
        Path hubotDir = Path.of(opts.getOrDefault("hubot", HUBOT_DIR));
        boolean keep = opts.containsKey("keep");
        long floodMs = Long.parseLong(opts.getOrDefault("flood-interval", "0"));
        System.out.printf(Locale.ROOT, "machine: %d CPUs, %s %s, Java %s (%s), load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Path dir = Files.createTempDirectory("buildduty-bench-irc");
        List<Target> targets = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        try (IrcNetwork net = IrcNetwork.start(dir.resolve("irc"))) {
            System.out.printf("network: %s + %s on 127.0.0.1, Libera-like port %d (burst 5, then 2 lines/s) for "
                    + "every bot and client; every request is a private message%n", IrcNetwork.INSPIRCD,
                    IrcNetwork.ATHEME, net.floodPort());
            net.register("bdbench", "bdbenchpw1", "bdclient", "bdclientpw1");
            targets.add(Responders.rawEcho(net));
            Optional<Path> hubot = Responders.hubotInstalled(hubotDir);
            peer(targets, missing, "hubot", hubot.isPresent() ? null : "no " + hubotDir.resolve("node_modules")
                    + " or no node on the PATH; install it with: bench/peers/install, or npm ci in " + hubotDir,
                    () -> Responders.hubot(net, hubot.get(), dir.resolve("hubot")));
            Optional<Path> errbot = Responders.onPath("errbot");
            peer(targets, missing, "errbot", errbot.isPresent() ? null : "no errbot on the PATH; install it with: "
                    + "apt-get install errbot (or bench/peers/install)",
                    () -> Responders.errbot(net, errbot.get(), dir.resolve("errbot")));
            Optional<Path> supybot = Responders.onPath("supybot");
            peer(targets, missing, "Limnoria", supybot.isPresent() ? null : "no supybot on the PATH; install it "
                    + "with: apt-get install limnoria (or bench/peers/install)",
                    () -> Responders.limnoria(net, supybot.get(), dir.resolve("limnoria")));
            if (Files.isRegularFile(jar)) {
                targets.add(Responders.buildduty(net, jar, direct, dir.resolve("bot"), "bdbench", "bdbenchpw1",
                        "bdclient", "bdclientpw1", floodMs));
                System.out.println("buildduty: " + (floodMs > 0 ? "flood { burst: 4, interval: " + floodMs + "ms }"
                        : "the default flood budget (a burst of 4, then 1 line/s)"));
            } else {
                System.out.println("buildduty: " + jar + " is missing, not measured; build it with "
                        + "./mvnw -q -pl bot-app -am package -DskipTests");
            }
            run(targets, warmUp + rounds, spacingMs, warmUp);
            report(targets, warmUp, missing);
            if (keep) {
                for (Target t : targets) {
                    Files.writeString(dir.resolve("rtt-" + t.name().replaceAll("[^A-Za-z0-9]+", "-") + ".txt"),
                            t.roundTripsMicros());
                }
            }
        } finally {
            for (Target t : targets) {
                t.close();
            }
            if (keep) {
                System.out.println("kept " + dir + " (configs, logs, and each target's round trips in order, in µs, "
                        + "in rtt-NAME.txt)");
            } else {
                BenchArgs.deleteTree(dir);
            }
        }
    }

    /** Starts a peer bot. */
    @FunctionalInterface
    private interface PeerStart {
        Target start() throws IOException;
    }

    /**
     * Adds the peer {@code what} to the targets, or, if it is not installed ({@code notInstalled} says why) or does
     * not start, prints one line saying so and adds it to {@code missing}.
     */
    private static void peer(List<Target> targets, List<String> missing, String what, String notInstalled,
            PeerStart start) {
        if (notInstalled != null) {
            System.out.println(what + ": NOT INSTALLED (" + notInstalled + "), not measured");
            missing.add(what + ": not installed");
            return;
        }
        try {
            targets.add(start.start());
        } catch (IOException | RuntimeException e) {
            System.out.println(what + ": DID NOT START, not measured: " + e.getMessage().strip()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            missing.add(what + ": did not start");
        }
    }

    /**
     * Sends {@code rounds} rounds, {@code spacingMs} apart: in round k the target in turn i (offset i * spacing /
     * targets) is {@code targets[(i + k) % n]}, so every target takes every place in the order equally often.
     */
    private static void run(List<Target> targets, int rounds, long spacingMs, int warmUp) {
        int n = targets.size();
        long offsetNanos = spacingMs * 1_000_000 / n;
        Duration timeout = Duration.ofNanos(Math.max(offsetNanos - 30_000_000, 10_000_000));
        System.out.printf(Locale.ROOT, "requests: %d rounds, %d ms apart, each asking the %d targets in turn %d ms "
                + "apart, the order rotating by one every round; each request waits at most %d ms for its reply; the "
                + "first %d rounds are warm-up (JIT) and not counted. About %d s.%n", rounds, spacingMs, n,
                offsetNanos / 1_000_000, timeout.toMillis(), warmUp, rounds * spacingMs / 1000);
        pause(2_000_000_000L);
        long start = System.nanoTime();
        for (int k = 0; k < rounds; k++) {
            for (int i = 0; i < n; i++) {
                long due = start + k * spacingMs * 1_000_000 + i * offsetNanos;
                pause(due - System.nanoTime());
                targets.get((i + k) % n).request(warmUp, timeout);
            }
            if ((k + 1) % 100 == 0 && k + 1 < rounds) {
                System.out.printf("  %d/%d rounds%n", k + 1, rounds);
            }
        }
    }

    private static void report(List<Target> targets, int warmUp, List<String> missing) {
        System.out.println();
        System.out.printf("%-34s %-14s %5s %8s %5s %9s %9s %9s %9s%n", "target", "command", "sent", "counted", "lost",
                "p50 ms", "p95 ms", "p99 ms", "max ms");
        for (Target t : targets) {
            System.out.println(t.row());
        }
        for (Target t : targets) {
            if (t.lostInWarmUp() > 0) {
                System.out.printf("(%s: %d of the %d warm-up requests got no reply in time)%n", t.name(),
                        t.lostInWarmUp(), warmUp);
            }
        }
        System.out.println();
        System.out.println("For bench/RESULTS.md (private messages, " + (targets.isEmpty() ? 0
                : targets.get(0).counted() + targets.get(0).lost()) + " interleaved rounds counted):");
        System.out.println();
        System.out.println("| bot | command | p50 ms | p95 ms | p99 ms | lost |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        for (Target t : targets) {
            System.out.println(String.format(Locale.ROOT, "| %s | `%s` | %.2f | %.2f | %.2f | %d of %d |", t.name(),
                    t.command(), t.percentileMs(50), t.percentileMs(95), t.percentileMs(99), t.lost(),
                    t.counted() + t.lost()));
        }
        for (String m : missing) {
            System.out.println("| " + m.replace(": ", " | ") + " | | | | |");
        }
        System.out.println();
        for (Target t : targets) {
            BenchArgs.result("IRC round trip, private: " + t.name() + " (`" + t.command() + "`), p50 / p95 / p99",
                    "reported", String.format(Locale.ROOT, "%.2f / %.2f / %.2f ms (lost %d of %d)",
                            t.percentileMs(50), t.percentileMs(95), t.percentileMs(99), t.lost(),
                            t.counted() + t.lost()));
        }
        for (String m : missing) {
            BenchArgs.result("IRC round trip, private: " + m.substring(0, m.indexOf(':')), "measured",
                    "not measured (" + m.substring(m.indexOf(':') + 2) + ")");
        }
        Target bot = find(targets, "buildduty");
        Target raw = find(targets, "raw");
        List<Target> peers = new ArrayList<>();
        for (Target t : targets) {
            if (t != bot && t != raw && t.counted() > 0) {
                peers.add(t);
            }
        }
        if (bot == null) {
            System.out.println("\nbuildduty was not measured: no ratios, no verdict.");
            return;
        }
        System.out.println();
        System.out.println("ratio                   p50       p99");
        for (Target t : targets) {
            if (t != bot) {
                System.out.printf(Locale.ROOT, "buildduty / %-10s %7.3f   %7.3f%n", t.name().split(" ")[0],
                        bot.percentileMs(50) / t.percentileMs(50), bot.percentileMs(99) / t.percentileMs(99));
            }
        }
        System.out.println();
        double p50 = bot.percentileMs(50);
        double p99 = bot.percentileMs(99);
        if (peers.isEmpty()) {
            System.out.println("targets below every peer: NOT CHECKED (no peer answered)");
        } else {
            double best50 = peers.stream().mapToDouble(t -> t.percentileMs(50)).min().orElse(Double.NaN);
            verdict("p50 below every peer", String.format(Locale.ROOT, "< %.3f ms (best peer p50)", best50),
                    String.format(Locale.ROOT, "%.3f ms", p50), p50 < best50);
        }
        double rawLimit = RAW_FACTOR * raw.percentileMs(50);
        verdict(String.format(Locale.ROOT, "p50 within %.1fx the raw echo", RAW_FACTOR),
                String.format(Locale.ROOT, "≤ %.3f ms", rawLimit), String.format(Locale.ROOT, "%.3f ms", p50),
                p50 <= rawLimit);
        verdict("p99", String.format(Locale.ROOT, "≤ %.0f ms", P99_LIMIT_MS), String.format(Locale.ROOT, "%.3f ms",
                p99), p99 <= P99_LIMIT_MS);
        if (!peers.isEmpty()) {
            double best99 = peers.stream().mapToDouble(t -> t.percentileMs(99)).min().orElse(Double.NaN);
            verdict("p99 below every peer", String.format(Locale.ROOT, "< %.3f ms (best peer p99)", best99),
                    String.format(Locale.ROOT, "%.3f ms", p99), p99 < best99);
        }
        BenchArgs.result("IRC round trip (buildduty !whoami): lost", "0", bot.lost() + " of " + bot.sent());
        if (bot.lost() > 0) {
            System.out.printf("note: %d buildduty requests got no reply in time (not in the percentiles)%n",
                    bot.lost());
        }
    }

    private static void verdict(String what, String target, String measured, boolean met) {
        System.out.println("target " + what + " (" + measured + ", target " + target + "): "
                + (met ? "MET" : "MISSED"));
        BenchArgs.result("IRC round trip (buildduty !whoami): " + what, target, measured + (met ? "" : " (missed)"));
    }

    private static Target find(List<Target> targets, String prefix) {
        return targets.stream().filter(t -> t.name().startsWith(prefix)).findFirst().orElse(null);
    }

    private static void pause(long nanos) {
        while (nanos > 0) {
            long end = System.nanoTime() + nanos;
            LockSupport.parkNanos(nanos);
            nanos = end - System.nanoTime();
        }
    }
}
