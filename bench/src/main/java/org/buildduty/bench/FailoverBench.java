package org.buildduty.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.app.store.PgServer;

/**
 * Failover of two instances of the real bot ({@code bot-app/target/buildduty.jar}, each with its console connector
 * fed through a pipe) sharing one PostgreSQL journal ({@link PgServer}: Debian's PostgreSQL in a temp folder). Each
 * round the leader starts a streaming operation (a runbook whose one local step prints numbered lines on several
 * hosts, {@code on_restart: report}) and is killed at a random moment while it streams: with SIGKILL
 * ({@code --kills} rounds) or SIGSTOP ({@code --stops} rounds, the old leader then gets SIGCONT and must exit 70). The
 * takeover time runs from the signal to the standby's {@code buildduty ready: leader} line on its standard error.
 * The killed instance is started again and becomes the standby. Every {@code --approval-every}th round the leader
 * is first asked for an operation that needs an approval; the new leader approves it after the takeover.
 *
 * <p>After the rounds it checks the journal with JDBC: operations run twice (an operation missing or created twice,
 * or a host of a step started twice in the forward run), lines lost (an operation's output whose sequence numbers
 * have a gap, or a finished host run with fewer or more lines than its command prints) and approvals lost (an
 * approval requested before a kill that the new leader could not take, or whose operation did not then run once on
 * every host). Printed: p50 and max of the takeover times per signal, and the three counters.
 *
 * <pre>{@code
 * bench/run FailoverBench             # 20 SIGKILL rounds, 3 SIGSTOP rounds, ha: {heartbeat: 1s, takeover_after: 10s}
 * bench/run FailoverBench --quick     # 5 SIGKILL rounds, 1 SIGSTOP round
 * bench/run FailoverBench --kills 20 --stops 3 --approval-every 4 --hosts 6 --parallel 3 --lines 30 --seed 42 \
 *     --heartbeat 1s --takeover-after 10s --bot-jar PATH --keep
 * }</pre>
 */
public final class FailoverBench {
    private static final String USAGE = "bench/run FailoverBench [--quick] [--kills 20] [--stops 3] "
            + "[--approval-every 4] [--hosts 6] [--parallel 3] [--lines 30] [--seed 42] [--heartbeat 1s] "
            + "[--takeover-after 10s] [--bot-jar PATH] [--keep]";
    /** Seconds between two output lines of the streaming step. */
    private static final double PACE = 0.05;
    /** Lines the gated operation prints per host. */
    private static final int GATED_LINES = 5;
    private static final Duration ANSWER = Duration.ofSeconds(60);
    private static final Pattern STARTED = Pattern.compile("stream #(\\d+) started");
    private static final Pattern GATED = Pattern.compile("gated #(\\d+)");
    /** An output line as the console shows it: {@code #OP HOST| TEXT}. */
    private static final Pattern OUTPUT = Pattern.compile("#(\\d+) (\\S+)\\| (.*)");

    private FailoverBench() {
    }

    /** One bot instance: its configuration, and the process now running it with its stdout and stderr lines. */
    private static final class Instance {
        private final String name;
        private final Path dir;
        private final Path config;
        private final Path jar;
        private ChildProcess process;
        private ReplyQueue out;
        private ReplyQueue err;

        Instance(String name, Path dir, Path config, Path jar) {
            this.name = name;
            this.dir = dir;
            this.config = config;
            this.jar = jar;
        }

        void start() throws IOException {
            out = new ReplyQueue();
            err = new ReplyQueue();
            process = ChildProcess.startPiped("buildduty-" + name, Responders.botCommand(jar, config), dir,
                    Responders.botEnv(dir, null), dir.resolve("bot.out"), out, err);
        }

        /** Waits for a line of its standard error containing {@code token}; returns when it was read. */
        long awaitErr(String token, Duration timeout) throws InterruptedException {
            List<ReplyQueue.Line> got = err.takeThrough(token, timeout);
            if (got.isEmpty()) {
                throw new IllegalStateException("instance " + name + " did not print \"" + token + "\" within "
                        + timeout.toSeconds() + " s" + (process.alive() ? "" : " (it exited)") + "; its output:\n"
                        + process.tail(3000));
            }
            return got.get(got.size() - 1).stamp();
        }

        /** Sends a console command and returns the id {@code pattern} finds in the first answer line matching it. */
        long ask(String command, String token, Pattern pattern) throws IOException, InterruptedException {
            process.writeLine(command);
            while (true) {
                List<ReplyQueue.Line> got = out.takeThrough(token, ANSWER);
                if (got.isEmpty()) {
                    throw new IllegalStateException("instance " + name + " did not answer \"" + command + "\" with \""
                            + token + "\"; its output:\n" + process.tail(3000));
                }
                Matcher m = pattern.matcher(got.get(got.size() - 1).text());
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
        }
    }

    /** What the rounds measured and requested. */
    private static final class Tally {
        final List<Long> kills = new ArrayList<>();
        final List<Long> stops = new ArrayList<>();
        final List<Long> streams = new ArrayList<>();
        final List<Long> gated = new ArrayList<>();
        /** Output lines of the stream operations that a leader's console printed before it was killed. */
        final Set<String> printed = new HashSet<>();
        int approvalsRefused;
        int exit70;
        final List<String> badExits = new ArrayList<>();
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = BenchArgs.parse(args, Set.of("quick", "keep"), USAGE);
        boolean quick = o.containsKey("quick");
        int kills = Integer.parseInt(o.getOrDefault("kills", quick ? "5" : "20"));
        int stops = Integer.parseInt(o.getOrDefault("stops", quick ? "1" : "3"));
        int approvalEvery = Integer.parseInt(o.getOrDefault("approval-every", "4"));
        int hosts = Integer.parseInt(o.getOrDefault("hosts", "6"));
        int parallel = Integer.parseInt(o.getOrDefault("parallel", "3"));
        int lines = Integer.parseInt(o.getOrDefault("lines", "30"));
        long seed = Long.parseLong(o.getOrDefault("seed", "42"));
        String heartbeat = o.getOrDefault("heartbeat", "1s");
        String takeoverAfter = o.getOrDefault("takeover-after", "10s");
        Path jar = Path.of(o.getOrDefault("bot-jar", "bot-app/target/buildduty.jar")).toAbsolutePath();
        if (!PgServer.available()) {
            throw new IllegalStateException("PostgreSQL 15 is not installed (apt-get install postgresql-15)");
        }
        System.out.printf(Locale.ROOT, "machine: %d CPUs, %s %s, Java %s, load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        double streamS = Math.ceil(hosts / (double) parallel) * lines * PACE;
        System.out.printf(Locale.ROOT, "FailoverBench: 2 instances on one PostgreSQL database, ha: {heartbeat: %s, "
                + "takeover_after: %s}; %d SIGKILL and %d SIGSTOP rounds; the streaming step prints %d lines on "
                + "each of %d hosts, %d at once (about %.1f s); an approval every %d rounds; seed %d%n", heartbeat,
                takeoverAfter, kills, stops, lines, hosts, parallel, streamS, approvalEvery, seed);
        Path dir = Files.createTempDirectory("buildduty-bench-failover").toAbsolutePath();
        List<Instance> both = new ArrayList<>();
        try (PgServer pg = PgServer.start()) {
            String db = pg.createDatabase();
            String url = "postgresql://127.0.0.1:" + pg.port() + "/" + db + "?user=postgres";
            writeRunbooks(dir, hosts, parallel, lines);
            for (String name : List.of("a", "b")) {
                Path d = Files.createDirectories(dir.resolve(name));
                both.add(new Instance(name, d, writeConfig(dir, d, name, url, heartbeat, takeoverAfter, hosts), jar));
            }
            Duration takeoverWait = Duration.ofSeconds(60).plus(Duration.ofMillis(millis(takeoverAfter)));
            Instance leader = both.get(0);
            Instance standby = both.get(1);
            long t0 = System.nanoTime();
            leader.start();
            leader.awaitErr("buildduty ready: leader", takeoverWait);
            System.out.printf(Locale.ROOT, "a leads %.1f s after its start; ", (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            standby.start();
            standby.awaitErr("buildduty standby: leader is a", takeoverWait);
            System.out.printf(Locale.ROOT, "b stands by %.1f s after its start%n", (System.nanoTime() - t0) / 1e9);

            List<Boolean> rounds = new ArrayList<>(Collections.nCopies(kills, Boolean.FALSE));
            for (int j = 0; j < stops; j++) {
                rounds.add((j + 1) * (kills + stops) / (stops + 1), Boolean.TRUE);
            }
            Random random = new Random(seed);
            Tally tally = new Tally();
            String jdbc = pg.jdbcUrl(db);
            for (int r = 0; r < rounds.size(); r++) {
                boolean stop = rounds.get(r);
                boolean approval = approvalEvery > 0 && r % approvalEvery == 0;
                double delayS = 0.2 + random.nextDouble() * (streamS - 0.2);
                round(r + 1, leader, standby, stop, approval, delayS, takeoverWait, jdbc, tally);
                Instance was = leader;
                leader = standby;
                standby = was;
            }
            standby.process.close();
            leader.process.closeInput();
            leader.process.waitFor(30);
            leader.process.close();
            report(tally, verify(jdbc, tally, hosts, lines), heartbeat, takeoverAfter);
        } finally {
            for (Instance i : both) {
                if (i.process != null) {
                    i.process.close();
                }
            }
            if (o.containsKey("keep")) {
                System.out.println("kept " + dir + " (runbooks, a/ and b/: config, bot.out, bot.log)");
            } else {
                BenchArgs.deleteTree(dir);
            }
        }
    }

    private static void round(int n, Instance leader, Instance standby, boolean stop, boolean approval, double delayS,
            Duration takeoverWait, String jdbc, Tally tally) throws Exception {
        long gated = approval ? leader.ask("run gated", "approve with", GATED) : -1;
        long stream = leader.ask("run stream", " started", STARTED);
        tally.streams.add(stream);
        if (gated >= 0) {
            tally.gated.add(gated);
        }
        Thread.sleep((long) (delayS * 1000));
        long pid = leader.process.pid();
        long t0 = System.nanoTime();
        if (stop) {
            signal("STOP", pid);
        } else {
            leader.process.kill();
        }
        long ready = standby.awaitErr("buildduty ready: leader", takeoverWait);
        (stop ? tally.stops : tally.kills).add(ready - t0);
        double ms = (ready - t0) / 1e6;
        String exit = "";
        if (!stop) {
            leader.process.waitFor(10);
        } else {
            signal("CONT", pid);
            if (!leader.process.waitFor(30)) {
                tally.badExits.add("round " + n + ": " + leader.name + " still runs 30 s after SIGCONT");
                leader.process.kill();
                leader.process.waitFor(10);
            } else if (leader.process.exitValue() == 70) {
                tally.exit70++;
            } else {
                tally.badExits.add("round " + n + ": " + leader.name + " exited " + leader.process.exitValue());
            }
            exit = leader.process.alive() ? "" : ", old leader exited " + leader.process.exitValue() + " after SIGCONT";
        }
        printed(leader, stream, tally);
        String approved = "";
        if (gated >= 0) {
            approved = approve(standby, gated, jdbc, tally);
        }
        System.out.printf(Locale.ROOT, "round %2d: %s %s at %.2f s into stream #%d -> %s leads after %.0f ms%s%s%n", n,
                stop ? "SIGSTOP" : "SIGKILL", leader.name, delayS, stream, standby.name, ms, exit, approved);
        leader.process.close();
        leader.start();
        leader.awaitErr("buildduty standby: leader is " + standby.name, takeoverWait);
    }

    /** Keeps the output lines of {@code stream} that the old leader's console printed. */
    private static void printed(Instance old, long stream, Tally tally) throws InterruptedException {
        Thread.sleep(200);   // the reader has seen the end of the pipe by now; its last lines are queued
        for (ReplyQueue.Line l : old.out.drain()) {
            Matcher m = OUTPUT.matcher(l.text());
            if (m.matches() && Long.parseLong(m.group(1)) == stream) {
                tally.printed.add(stream + " " + m.group(2) + " " + m.group(3));
            }
        }
    }

    /** The new leader approves {@code gated}, asked of the old one; then waits for the operation to end. */
    private static String approve(Instance leader, long gated, String jdbc, Tally tally) throws Exception {
        leader.process.writeLine("approve " + gated);
        Pattern answer = Pattern.compile("gated #" + gated + "\\b.*approved");
        List<ReplyQueue.Line> got = leader.out.takeThrough("approved", ANSWER);
        boolean ok = !got.isEmpty() && answer.matcher(got.get(got.size() - 1).text()).find();
        if (!ok) {
            tally.approvalsRefused++;
            System.out.println("  approve " + gated + " on " + leader.name + " was not taken: "
                    + (got.isEmpty() ? "no answer" : got.get(got.size() - 1).text()));
            return "; approval of gated #" + gated + " NOT taken";
        }
        long end = System.nanoTime() + ANSWER.toNanos();
        String state = "";
        while (System.nanoTime() < end) {
            state = state(jdbc, gated);
            if (Set.of("SUCCEEDED", "FAILED", "CANCELLED", "DENIED", "EXPIRED", "INTERRUPTED").contains(state)) {
                break;
            }
            Thread.sleep(100);
        }
        return "; gated #" + gated + " approved there: " + state;
    }

    private static String state(String jdbc, long op) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc)) {
            String state = state(c, op);
            return state == null ? "(missing)" : state;
        }
    }

    /** The three counters from the journal: operations run twice, lines lost, approvals lost. */
    private record Checked(int runTwice, int linesLost, int approvalsLost, Map<String, Integer> streamStates,
            int endedRuns, long rows, int printedMissing, Map<Long, Integer> missingByOp, List<String> problems) {
    }

    private static Checked verify(String jdbc, Tally tally, int hosts, int lines) throws SQLException {
        List<String> problems = new ArrayList<>();
        int runTwice = 0;
        int linesLost = 0;
        int approvalsLost = tally.approvalsRefused;
        Map<String, Integer> states = new TreeMap<>();
        int[] ended = new int[1];
        long rows;
        int printedMissing = 0;
        Map<Long, Integer> missingByOp = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(jdbc)) {
            rows = count(c, "SELECT count(*) FROM output");
            Set<String> journaled = new HashSet<>();
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT op, host, line FROM output")) {
                while (rs.next()) {
                    journaled.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3));
                }
            }
            for (String p : tally.printed) {
                if (!journaled.contains(p)) {
                    printedMissing++;
                    missingByOp.merge(Long.parseLong(p.substring(0, p.indexOf(' '))), 1, Integer::sum);
                }
            }
            List<Long> requested = new ArrayList<>(tally.streams);
            requested.addAll(tally.gated);
            long inJournal = count(c, "SELECT count(*) FROM operations");
            if (inJournal != requested.size()) {
                runTwice++;
                problems.add("the journal has " + inJournal + " operations; " + requested.size() + " were requested");
            }
            for (long op : requested) {
                String state = state(c, op);
                if (state == null) {
                    runTwice++;
                    problems.add("#" + op + " is missing from the journal");
                    continue;
                }
                if (tally.streams.contains(op)) {
                    states.merge(state, 1, Integer::sum);
                }
                // a host of a step started twice in the forward run: the operation ran (partly) twice
                try (PreparedStatement ps = c.prepareStatement("SELECT step_index, host, count(*) FROM host_runs "
                        + "WHERE op = ? AND rollback = 0 AND started_at IS NOT NULL GROUP BY step_index, host "
                        + "HAVING count(*) > 1")) {
                    ps.setLong(1, op);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            runTwice++;
                            problems.add("#" + op + ": step " + rs.getLong(1) + " started " + rs.getLong(3)
                                    + " times on " + rs.getString(2));
                        }
                    }
                }
                int expected = tally.streams.contains(op) ? lines : GATED_LINES;
                linesLost += lines(c, op, expected, ended, problems);
                if (tally.gated.contains(op)) {
                    long ok = count(c, "SELECT count(*) FROM host_runs WHERE op = " + op + " AND rollback = 0 AND "
                            + "outcome = 'SUCCEEDED'");
                    if (!"SUCCEEDED".equals(state) || ok != hosts) {
                        approvalsLost++;
                        problems.add("gated #" + op + " is " + state + " with " + ok + " of " + hosts
                                + " hosts succeeded");
                    }
                }
            }
        }
        return new Checked(runTwice, linesLost, approvalsLost, states, ended[0], rows, printedMissing, missingByOp,
                problems);
    }

    /**
     * Lines lost from {@code op}'s output: missing sequence numbers between its first and last line, plus, for each
     * host run that ended, the difference between the lines it printed ({@code expected}) and the rows it has.
     */
    private static int lines(Connection c, long op, int expected, int[] ended, List<String> problems)
            throws SQLException {
        int lost = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*), min(seq), max(seq) FROM output WHERE op = ?")) {
            ps.setLong(1, op);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long rows = rs.getLong(1);
                if (rows > 0 && rs.getLong(3) - rs.getLong(2) + 1 != rows) {
                    lost += (int) (rs.getLong(3) - rs.getLong(2) + 1 - rows);
                    problems.add("#" + op + ": output seq " + rs.getLong(2) + ".." + rs.getLong(3) + " has " + rows
                            + " rows");
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT h.step_index, h.host, h.outcome, (SELECT count(*) "
                + "FROM output o WHERE o.op = h.op AND o.step_index = h.step_index AND o.host = h.host) FROM "
                + "host_runs h WHERE h.op = ? AND h.rollback = 0 AND h.ended_at IS NOT NULL")) {
            ps.setLong(1, op);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ended[0]++;
                    long rows = rs.getLong(4);
                    if (rows != expected) {
                        lost += (int) Math.abs(expected - rows);
                        problems.add("#" + op + ": host " + rs.getString(2) + " ended " + rs.getString(3) + " with "
                                + rows + " output rows; its command prints " + expected);
                    }
                }
            }
        }
        return lost;
    }

    private static String state(Connection c, long op) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT state FROM operations WHERE id = ?")) {
            ps.setLong(1, op);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void report(Tally t, Checked c, String heartbeat, String takeoverAfter) {
        System.out.println();
        System.out.println("takeover (signal -> the standby's \"buildduty ready: leader\")   n     p50 ms     max ms");
        System.out.printf(Locale.ROOT, "%-62s %3d %10.0f %10.0f%n", "SIGKILL", t.kills.size(), p50(t.kills),
                max(t.kills));
        System.out.printf(Locale.ROOT, "%-62s %3d %10.0f %10.0f%n", "SIGSTOP", t.stops.size(), p50(t.stops),
                max(t.stops));
        System.out.println("stream operations by state at the end: " + c.streamStates());
        System.out.printf("journal: %d output rows; %d host runs that ended, each checked for its full output%n",
                c.rows(), c.endedRuns());
        System.out.printf("output lines a killed leader's console printed: %d, of which not in the journal: %d%n",
                t.printed.size(), c.printedMissing());
        if (!c.missingByOp().isEmpty()) {
            System.out.println("  not in the journal, per stream operation: " + c.missingByOp());
        }
        System.out.printf("old leaders that exited 70 after SIGCONT: %d of %d%n", t.exit70, t.stops.size());
        t.badExits.forEach(b -> System.out.println("  " + b));
        System.out.printf("operations run twice: %d; lines lost from the journal: %d; approvals lost: %d%n",
                c.runTwice(), c.linesLost(), c.approvalsLost());
        c.problems().forEach(p -> System.out.println("  " + p));
        String ha = "ha: {heartbeat: " + heartbeat + ", takeover_after: " + takeoverAfter + "}";
        BenchArgs.result("failover: takeover after SIGKILL of the leader, p50 / max (" + t.kills.size()
                + " rounds, " + ha + ")", "≤ 2 s", String.format(Locale.ROOT, "%.2f / %.2f s",
                p50(t.kills) / 1000, max(t.kills) / 1000));
        if (!t.stops.isEmpty()) {
            BenchArgs.result("failover: takeover after SIGSTOP of the leader, p50 / max (" + t.stops.size()
                    + " rounds)", String.format(Locale.ROOT, "≤ takeover_after + 1 s = %.1f s",
                    millis(takeoverAfter) / 1000.0 + 1), String.format(Locale.ROOT, "%.2f / %.2f s",
                    p50(t.stops) / 1000, max(t.stops) / 1000));
            BenchArgs.result("failover: stopped leader exits 70 after SIGCONT", "all",
                    t.exit70 + " of " + t.stops.size());
        }
        BenchArgs.result("failover: operations run twice", "0", Integer.toString(c.runTwice()));
        BenchArgs.result("failover: output lines lost from the journal (seq gaps; ended host runs short of their "
                + "output)", "0", Integer.toString(c.linesLost()));
        BenchArgs.result("failover: output lines the killed leader's console printed that the journal lacks",
                "reported", c.printedMissing() + " of " + t.printed.size());
        BenchArgs.result("failover: approvals lost (" + t.gated.size() + " requested before a takeover)", "0",
                Integer.toString(c.approvalsLost()));
    }

    private static double p50(List<Long> nanos) {
        return Latencies.percentileMs(nanos, 50);
    }

    private static double max(List<Long> nanos) {
        return Latencies.percentileMs(nanos, 100);
    }

    private static void signal(String name, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid + " failed");
        }
    }

    /** {@code "10s"}, {@code "500ms"}, {@code "1m"} → milliseconds. */
    private static long millis(String duration) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m)").matcher(duration.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + duration + " (use e.g. 10s or 500ms)");
        }
        long v = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1000;
            default -> v * 60_000;
        };
    }

    private static void writeRunbooks(Path dir, int hosts, int parallel, int lines) throws IOException {
        Path books = Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(books.resolve("stream.yml"), String.join("\n",
                "name: stream",
                "description: streams numbered output lines on every host of the fleet",
                "role: anyone",
                "exclusive: none",
                "on_restart: report",
                "steps:",
                "  - name: stream",
                "    local:",
                "      hosts: fleet",
                "      parallel: " + parallel,
                "      command: \"for i in $(seq 1 " + lines + "); do echo {{host}} line $i; sleep " + PACE
                        + "; done\"",
                "    timeout: 10m",
                "    on_host_failure: continue",
                ""));
        Files.writeString(books.resolve("gated.yml"), String.join("\n",
                "name: gated",
                "description: needs an approval, then prints a few lines on every host",
                "role: anyone",
                "exclusive: none",
                "on_restart: report",
                "approval: { role: releng, required: 1, self_approve: true, timeout: 1h }",
                "steps:",
                "  - name: print",
                "    local:",
                "      hosts: fleet",
                "      parallel: " + hosts,
                "      command: \"for i in $(seq 1 " + GATED_LINES + "); do echo {{host}} gated $i; done\"",
                "    timeout: 10m",
                ""));
    }

    private static Path writeConfig(Path dir, Path instanceDir, String name, String url, String heartbeat,
            String takeoverAfter, int hosts) throws IOException {
        List<String> yaml = new ArrayList<>(List.of(
                "bot:",
                "  prefix: \"!\"",
                "  nick: buildduty",
                "  journal: \"" + url + "\"",
                "  instance: " + name,
                "  ha: { heartbeat: " + heartbeat + ", takeover_after: " + takeoverAfter + " }",
                "  runbooks: " + dir.resolve("runbooks"),
                "  web: \"off\"",
                "connectors:",
                "  - id: console",
                "    type: console",
                "inventory:",
                "  hosts:"));
        for (int h = 1; h <= hosts; h++) {
            yaml.add("    h" + h + ": { address: 127.0.0.1, groups: [fleet] }");
        }
        yaml.add("");
        Path config = instanceDir.resolve("buildduty.yml");
        Files.writeString(config, String.join("\n", yaml));
        return config;
    }
}
