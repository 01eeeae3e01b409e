package org.buildduty.bench;

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
 * Measures the command round trip on a real local IRC network (InspIRCd + Atheme, {@link IrcNetwork}), every bot and
 * client on its Libera-like port (a burst of 5 lines, then 2 lines/s): a client sends a command in a channel and
 * times the reply (send to the moment the reply is read). Three targets, each in its own channel, each asked by its
 * own {@link TimingClient}:
 *
 * <ul>
 *   <li>{@code raw echo} in #raw: the physical limit, a raw-socket client that echoes {@code !echo TOKEN} with no
 *       work at all ({@link RawEchoPeer});</li>
 *   <li>{@code errbot} (Debian's errbot, IRC backend) in #errbot, {@code !echo TOKEN}, when installed;</li>
 *   <li>{@code buildduty} ({@code java -jar bot-app/target/buildduty.jar}) in #bot, {@code !whoami} (one line).</li>
 * </ul>
 *
 * <p>Each target gets a request every {@code --spacing} ms (under both the server's 2 lines/s per client and the bot's
 * pacer, a burst of 4 then one line per 1.2 s); the targets are interleaved, offset by spacing / targets, and a request
 * waits at most until the next target's turn, so no two are ever in flight at once. The first {@code --warmup}
 * requests of each target are not counted (JIT, caches). Prints p50/p95/p99/max per target, the ratios of buildduty to
 * the raw echo and to errbot, and whether the targets are met: p50 below every peer, p50 within 1.5x the raw echo,
 * p99 at most 5 ms.
 *
 * <pre>{@code
 * bench/run IrcRoundTripBench                 # 500 requests per target, 1.3 s apart: about 11 minutes
 * bench/run IrcRoundTripBench --quick         # 50 per target
 * bench/run IrcRoundTripBench --count 200 --spacing 1300 --warmup 20 --keep
 * }</pre>
 *
 * <p>{@code --flood-interval} sets the bot's {@code flood.interval} (default: the bot's default, 1 s; answers to
 * commands are not held back by the room's pace, only by the connection's). {@code --keep} keeps the temp directory
 * (configs, the bot's and errbot's logs). Environment: {@code BENCH_DEBUG=1} prints every line the timing clients
 * receive; {@code BENCH_BOT_JAVA_OPTS} is passed to the bot's JVM as {@code JAVA_TOOL_OPTIONS} (to try JVM flags or
 * another logback configuration).
 */
public final class IrcRoundTripBench {
    private static final String BOT_JAR = "bot-app/target/buildduty.jar";
    private static final double P99_LIMIT_MS = 5.0;
    private static final double RAW_FACTOR = 1.5;

    private IrcRoundTripBench() {
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = BenchArgs.parse(args, Set.of("quick", "keep"), "--quick, --count N, "
                + "--spacing MS, --warmup N, --flood-interval MS, --bot-jar PATH, --keep");
        int count = Integer.parseInt(opts.getOrDefault("count", opts.containsKey("quick") ? "50" : "500"));
        long spacingMs = Long.parseLong(opts.getOrDefault("spacing", "1300"));
        int warmUp = Integer.parseInt(opts.getOrDefault("warmup", "20"));
        Path jar = Path.of(opts.getOrDefault("bot-jar", BOT_JAR));
        boolean keep = opts.containsKey("keep");
        long floodMs = Long.parseLong(opts.getOrDefault("flood-interval", "0"));
        System.out.printf(Locale.ROOT, "machine: %d CPUs, %s %s, Java %s (%s), load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Path dir = Files.createTempDirectory("buildduty-bench-irc");
        List<Target> targets = new ArrayList<>();
        try (IrcNetwork net = IrcNetwork.start(dir.resolve("irc"))) {
            System.out.printf("network: %s + %s on 127.0.0.1, Libera-like port %d (burst 5, then 2 lines/s) for "
                    + "every bot and client%n", IrcNetwork.INSPIRCD, IrcNetwork.ATHEME, net.floodPort());
            net.register("bdbench", "bdbenchpw1", "bdclient", "bdclientpw1");
            targets.add(Responders.rawEcho(net));
            Optional<Path> errbot = Responders.errbot();
            if (errbot.isPresent()) {
                targets.add(Responders.errbot(net, errbot.get(), dir.resolve("errbot")));
            } else {
                System.out.println("errbot: NOT INSTALLED (no errbot on the PATH), not measured; "
                        + "install it with: apt-get install errbot");
            }
            if (Files.isRegularFile(jar)) {
                targets.add(Responders.buildduty(net, jar, dir.resolve("bot"), "bdbench", "bdbenchpw1", "bdclient",
                        "bdclientpw1", floodMs));
                System.out.println("buildduty: " + (floodMs > 0 ? "flood { burst: 4, interval: " + floodMs + "ms }"
                        : "the default flood budget (a burst of 4, then 1 line/s)"));
            } else {
                System.out.println("buildduty: " + jar + " is missing, not measured; build it with "
                        + "./mvnw -q -pl bot-app -am package -DskipTests");
            }
            run(targets, count, spacingMs, warmUp);
            report(targets, warmUp);
        } finally {
            for (Target t : targets) {
                t.close();
            }
            if (keep) {
                System.out.println("kept " + dir + " (configs and logs)");
            } else {
                BenchArgs.deleteTree(dir);
            }
        }
    }

    /** Sends {@code count} requests to each target on a fixed schedule: target i at k * spacing + i * offset. */
    private static void run(List<Target> targets, int count, long spacingMs, int warmUp) {
        long offsetNanos = spacingMs * 1_000_000 / targets.size();
        Duration timeout = Duration.ofNanos(Math.max(offsetNanos - 30_000_000, 10_000_000));
        System.out.printf(Locale.ROOT, "requests: %d per target, %d ms apart, targets offset by %d ms, each waits "
                + "at most %d ms for its reply; the first %d of each target are warm-up (JIT) and not counted. "
                + "About %d s.%n", count, spacingMs, offsetNanos / 1_000_000, timeout.toMillis(), warmUp,
                count * spacingMs / 1000);
        pause(2_000_000_000L);
        long start = System.nanoTime();
        for (int k = 0; k < count; k++) {
            for (int i = 0; i < targets.size(); i++) {
                long due = start + k * spacingMs * 1_000_000 + i * offsetNanos;
                pause(due - System.nanoTime());
                targets.get(i).request(warmUp, timeout);
            }
            if ((k + 1) % 100 == 0 && k + 1 < count) {
                System.out.printf("  %d/%d sent%n", k + 1, count);
            }
        }
    }

    private static void report(List<Target> targets, int warmUp) {
        System.out.println();
        System.out.println("target           command         sent  counted  lost    p50 ms    p95 ms    p99 ms"
                + "    max ms");
        for (Target t : targets) {
            System.out.println(t.row());
        }
        for (Target t : targets) {
            if (t.lostInWarmUp() > 0) {
                System.out.printf("(%s: %d of the %d warm-up requests got no reply in time)%n", t.name(),
                        t.lostInWarmUp(), warmUp);
            }
        }
        Target bot = find(targets, "buildduty");
        Target raw = find(targets, "raw");
        List<Target> peers = new ArrayList<>();
        for (Target t : targets) {
            if (t != bot && t != raw) {
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
        if (peers.isEmpty()) {
            System.out.println("target p50 below every peer: NOT CHECKED (no peer measured)");
        } else {
            double best = peers.stream().mapToDouble(t -> t.percentileMs(50)).min().orElse(Double.NaN);
            verdict("p50 below every peer", String.format(Locale.ROOT, "< %.3f ms (best peer p50)", best),
                    String.format(Locale.ROOT, "%.3f ms", p50), p50 < best);
        }
        double rawLimit = RAW_FACTOR * raw.percentileMs(50);
        verdict(String.format(Locale.ROOT, "p50 within %.1fx the raw echo", RAW_FACTOR),
                String.format(Locale.ROOT, "≤ %.3f ms", rawLimit), String.format(Locale.ROOT, "%.3f ms", p50),
                p50 <= rawLimit);
        double p99 = bot.percentileMs(99);
        verdict("p99", String.format(Locale.ROOT, "≤ %.0f ms", P99_LIMIT_MS), String.format(Locale.ROOT, "%.3f ms",
                p99), p99 <= P99_LIMIT_MS);
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
