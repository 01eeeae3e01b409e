package org.buildduty.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.buildduty.commands.mbs.MbsWatches;
import org.buildduty.commands.testing.FakeMbs;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.time.Ticker;

/**
 * {@code mbs watch} at scale, on the real bot process: a FakeMbs in this process with {@code --builds} module
 * builds in {@code build} whose components keep changing (one per build per poll interval), and
 * {@code buildduty.jar} started as a child whose SQLite journal is pre-seeded with {@code --rooms} watches per build
 * (console rooms {@code room-1..N}), so they resume at start. It prints the upstream requests per poll interval
 * (target: one per build), the bot's RSS (target ≤ 256 MiB) and its CPU time.
 *
 * <p>Options: {@code --builds 200 --rooms 5 --interval 2 --intervals 15 --warmup 3 --jvm "-Xmx128m"
 * --bot-jar bot-app/target/buildduty.jar --keep}.
 */
public final class MbsWatchBench {
    private static final String USAGE = "bench/run MbsWatchBench [--builds 200] [--rooms 5] [--interval 2] "
            + "[--intervals 15] [--warmup 3] [--jvm \"-Xmx128m\"] [--bot-jar PATH] [--keep]";
    private static final int PACKAGES = 20;

    private MbsWatchBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = BenchArgs.parse(args, Set.of("keep"), USAGE);
        int builds = Integer.parseInt(o.getOrDefault("builds", "200"));
        int rooms = Integer.parseInt(o.getOrDefault("rooms", "5"));
        int interval = Integer.parseInt(o.getOrDefault("interval", "2"));
        int intervals = Integer.parseInt(o.getOrDefault("intervals", "15"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "3"));
        String jvm = o.getOrDefault("jvm", "");
        Path jar = Path.of(o.getOrDefault("bot-jar", "bot-app/target/buildduty.jar")).toAbsolutePath();
        Path dir = Files.createTempDirectory("mbs-watch-bench");
        try (FakeMbs mbs = FakeMbs.start(Ticker.system(), "token")) {
            Instant t0 = Instant.now();
            List<Long> ids = new ArrayList<>();
            String[] pkgs = new String[PACKAGES];
            for (int i = 0; i < PACKAGES; i++) {
                pkgs[i] = "pkg" + i;
            }
            int steps = (warmup + intervals + 30) * 2;
            for (int b = 0; b < builds; b++) {
                FakeMbs.FakeBuild fb = mbs.submit("module" + b, "f" + (26 + b % 3), "owner" + b % 7, pkgs);
                fb.state("build", null);
                for (String p : pkgs) {
                    fb.component(p, 0);
                }
                // Each build changes one component per poll interval, at a time of its own within the interval.
                long offsetMs = (long) b * interval * 1000 / builds;
                for (int k = 1; k <= steps; k++) {
                    int kk = k;
                    fb.at(t0.plusMillis(offsetMs + (long) k * interval * 1000),
                            x -> x.component("pkg" + kk % PACKAGES, (kk / PACKAGES) % 2 == 0 ? 1 : 0));
                }
                ids.add(fb.id());
            }
            String instance = mbs.url().toString();
            Path config = writeConfig(dir, instance, interval);
            Map<String, String> env = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                    "HOME", dir.toString());
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString()));
            if (!jvm.isBlank()) {
                command.addAll(List.of(jvm.strip().split("\\s+")));
            }
            command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));

            // A first start creates the journal's schema; end of console input stops it.
            try (ChildProcess once = ChildProcess.start("buildduty-init", command, dir, env, dir.resolve("init.log"))) {
                once.closeInput();
                if (!once.waitFor(60)) {
                    throw new IllegalStateException("the bot did not stop at end of input: " + once.tail(2000));
                }
            }
            seed(dir.resolve("bd.db"), instance, ids, rooms);
            System.out.printf("MbsWatchBench: %d builds × %d rooms = %d watches, poll interval %d s, %d intervals "
                    + "measured after %d of warm-up; jvm options: %s%n", builds, rooms, builds * rooms, interval,
                    intervals, warmup, jvm.isBlank() ? "(none)" : jvm);

            try (ChildProcess bot = ChildProcess.start("buildduty", command, dir, env, dir.resolve("bot.log"))) {
                long started = System.nanoTime();
                while (mbs.requests() < builds) {
                    if (!bot.alive() || System.nanoTime() - started > 60_000_000_000L) {
                        throw new IllegalStateException("the watches did not resume: " + mbs.requests()
                                + " requests; " + bot.tail(3000));
                    }
                    Thread.sleep(20);
                }
                double resumeS = (System.nanoTime() - started) / 1e9;
                Thread.sleep(warmup * interval * 1000L);
                long cpu0 = ProcStats.cpuTicks(bot.pid());
                long wall0 = System.nanoTime();
                int req0 = mbs.requests();
                List<Integer> perInterval = new ArrayList<>();
                long maxRss = 0;
                for (int i = 0; i < intervals; i++) {
                    int before = mbs.requests();
                    Thread.sleep(interval * 1000L);
                    perInterval.add(mbs.requests() - before);
                    maxRss = Math.max(maxRss, ProcStats.rssKb(bot.pid()));
                }
                double cpuS = (ProcStats.cpuTicks(bot.pid()) - cpu0) / ProcStats.TICKS_PER_SECOND;
                double wallS = (System.nanoTime() - wall0) / 1e9;
                int total = mbs.requests() - req0;
                long lines;
                try (var s = Files.lines(dir.resolve("bot.log"), StandardCharsets.ISO_8859_1)) {
                    lines = s.filter(l -> l.contains("[mbs ")).count();
                }
                System.out.printf("resume: first poll of all %d builds within %.2f s of the bot's start%n", builds,
                        resumeS);
                System.out.println("upstream requests per poll interval: " + perInterval);
                System.out.printf("mean %.1f per interval (target %d = builds); %d in %.1f s%n",
                        total / (double) intervals, builds, total, wallS);
                System.out.printf("bot RSS: %.1f MiB at most, %.1f MiB at the end (target ≤ 256 MiB)%n",
                        maxRss / 1024.0, ProcStats.rssKb(bot.pid()) / 1024.0);
                System.out.printf("bot CPU: %.2f s in %.1f s = %.1f%% of one core%n", cpuS, wallS,
                        100 * cpuS / wallS);
                BenchArgs.result("mbs watch: upstream requests per poll interval, " + builds + " builds × " + rooms
                        + " rooms", "" + builds, String.format(Locale.ROOT, "%.1f", total / (double) intervals));
                BenchArgs.result("mbs watch: bot RSS (max), " + builds * rooms + " watches", "≤ 256 MiB",
                        String.format(Locale.ROOT, "%.1f MiB", maxRss / 1024.0));
                BenchArgs.result("mbs watch: bot CPU", "reported", String.format(Locale.ROOT,
                        "%.1f%% of one core", 100 * cpuS / wallS));
                System.out.printf("thread lines posted so far (console, prefixed [mbs <id>]): %d%n", lines);
                bot.closeInput();
                bot.waitFor(30);
            }
        } finally {
            if (o.containsKey("keep")) {
                System.out.println("kept " + dir);
            } else {
                BenchArgs.deleteTree(dir);
            }
        }
    }

    private static Path writeConfig(Path dir, String instance, int interval) throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        Path config = dir.resolve("bench.yml");
        Files.writeString(config, String.join("\n",
                "bot:",
                "  journal: " + dir.resolve("bd.db"),
                "  runbooks: " + dir.resolve("runbooks"),
                "  web: \"off\"",
                "connectors:",
                "  - id: console",
                "    type: console",
                "services:",
                "  mbs:",
                "    url: \"" + instance + "\"",
                "    poll: { building: " + interval + "s, idle: " + interval + "s, max_backoff: "
                        + (interval * 8) + "s }",
                ""));
        return config;
    }

    /** Writes one watch record per build, watched from console rooms room-1..N, as the bot's journal keeps them. */
    private static void seed(Path db, String instance, List<Long> ids, int rooms) throws SQLException {
        List<ChatAddress> addresses = new ArrayList<>();
        for (int r = 1; r <= rooms; r++) {
            addresses.add(ChatAddress.of("console", "room-" + r));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("INSERT INTO state (kind, key, body) VALUES (?, ?, ?)")) {
                for (long id : ids) {
                    st.setString(1, MbsWatches.recordKind());
                    st.setString(2, MbsWatches.recordKey(instance, id));
                    st.setString(3, MbsWatches.newRecord(instance, id, addresses));
                    st.addBatch();
                }
                st.executeBatch();
            }
            c.commit();
        }
    }
}
