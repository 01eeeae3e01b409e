package org.buildduty.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.runner.Runner;
import org.buildduty.exec.ssh.SshExecutor;
import org.buildduty.exec.ssh.SshOptions;
import org.buildduty.exec.ssh.SshTarget;
import org.buildduty.exec.testing.Sshd;

/**
 * Measures SSH fan-out: a real sshd, {@code --hosts} inventory aliases of it, and one step {@code sleep S} run through
 * a real {@link Runner} and {@link SshExecutor} at each {@code --parallel} level, each in a fresh operation (so every
 * host opens its own connection, as the first step of a real operation does).
 *
 * <p>Prints, per level: wall time of the operation; each host's own time (its host run, from {@code hostStarted} to
 * {@code hostFinished}: connect, command, close); the ratio wall / slowest host, next to the ideal ratio
 * ⌈hosts / parallel⌉; and the slowest time the command itself measured on the server ({@code date} before and after
 * the sleep), to show the connection overhead.
 *
 * <pre>{@code
 * bench/run SshFanoutBench                 # parallel 50, 10, 1 (1 takes about 2 × 50 s)
 * bench/run SshFanoutBench --quick         # parallel 50, 10
 * bench/run SshFanoutBench --parallel 50 --hosts 50 --sleep 2 --connects 10
 * bench/run SshFanoutBench --quick --bashrc # also pay the login shell's ~/.bashrc on every command
 * }</pre>
 */
public final class SshFanoutBench {
    private SshFanoutBench() {
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = BenchArgs.parse(args, Set.of("quick", "bashrc"),
                "--quick, --parallel 50,10,1, --hosts N, --sleep S, --connects N, --bashrc");
        int hosts = Integer.parseInt(opts.getOrDefault("hosts", "50"));
        double sleep = Double.parseDouble(opts.getOrDefault("sleep", "2"));
        int connects = Integer.parseInt(opts.getOrDefault("connects", "10"));
        List<Integer> parallels = BenchArgs.ints(opts.getOrDefault("parallel",
                opts.containsKey("quick") ? "50,10" : "50,10,1"));
        boolean bashrc = opts.containsKey("bashrc");
        Path dir = Files.createTempDirectory("buildduty-bench-ssh");
        // The fixture keeps the login user's ~/.bashrc out (Sshd.SKIP_SHELL_STARTUP; in CI root's runs `pyenv init`,
        // ~0.2 s); --bashrc puts that cost back in the measurement.
        String[] extra = bashrc ? new String[] {"SetEnv SHLVL=0"} : new String[0];
        try (Sshd sshd = Sshd.start(dir.resolve("sshd"), "VERBOSE", extra)) {
            Map<String, SshTarget> inventory = SshFanout.aliases(sshd, "h%02d", hosts);
            SshOptions options = SshFanout.options(sshd, dir).withMaxConnectsInFlight(connects);
            System.out.printf(Locale.ROOT, "sshd %s on 127.0.0.1:%d, %d host aliases, step `sleep %s`, "
                    + "%d connects in flight, %d CPUs, ~/.bashrc %s%n", Sshd.SSHD, sshd.port(), hosts, fmt(sleep),
                    connects, Runtime.getRuntime().availableProcessors(), bashrc ? "run" : "skipped");
            System.out.println("parallel  wall s  slowest host s  median host s  wall/slowest  ideal"
                    + "  slowest cmd s  wall/slowest cmd  failed");
            SshFanout.levels(inventory, options, parallels, (runner, id, parallel) -> runLevel(runner, id,
                    new ArrayList<>(inventory.keySet()), parallel, sleep));
        } finally {
            BenchArgs.deleteTree(dir);
        }
    }

    private static void runLevel(Runner runner, long id, List<String> names, int parallel, double sleep)
            throws Exception {
        String command = "s=$(date +%s.%N); sleep " + fmt(sleep) + "; e=$(date +%s.%N); echo \"$s $e\"";
        StepSpec step = new StepSpec("sleep", "ssh", Map.of("command", command), names, parallel,
                Duration.ofMinutes(10), null, OnHostFailure.CONTINUE, null);
        Timings timings = new Timings();
        SshFanout.Result r = SshFanout.run(runner, id, "bench", "hosts", step, timings);
        List<Double> hostTimes = new ArrayList<>(timings.hostSeconds().values());
        hostTimes.sort(Comparator.naturalOrder());
        double slowest = hostTimes.isEmpty() ? Double.NaN : hostTimes.get(hostTimes.size() - 1);
        double median = hostTimes.isEmpty() ? Double.NaN : hostTimes.get(hostTimes.size() / 2);
        double slowestCommand = timings.commandSeconds.values().stream().mapToDouble(d -> d).max().orElse(Double.NaN);
        int ideal = (names.size() + parallel - 1) / parallel;
        System.out.printf(Locale.ROOT, "%8d  %6.2f  %14.2f  %13.2f  %12.3f  %5d  %13.2f  %16.3f  %6d%s%n",
                parallel, r.wallSeconds(), slowest, median, r.wallSeconds() / slowest, ideal, slowestCommand,
                r.wallSeconds() / slowestCommand, timings.failed().size(), timings.outcome(r.end()));
        BenchArgs.result(String.format(Locale.ROOT, "ssh fan-out: wall / slowest host, %d hosts at parallel %d",
                names.size(), parallel), parallel >= names.size() ? "≤ 1.10" : "≤ ideal " + ideal,
                String.format(Locale.ROOT, "%.3f (wall %.2f s), %d failed", r.wallSeconds() / slowest,
                        r.wallSeconds(), timings.failed().size()));
    }

    /** The host run times, plus the time the command itself measured on the server, by host. */
    private static final class Timings extends SshFanout.HostTimings {
        private final Map<String, Double> commandSeconds = new ConcurrentHashMap<>();

        @Override
        public void output(Operation op, int index, StepSpec step, String host, OutputChannel stream, String line) {
            String[] f = line.strip().split(" ");
            if (stream == OutputChannel.STDOUT && f.length == 2) {
                try {
                    commandSeconds.put(host, Double.parseDouble(f[1]) - Double.parseDouble(f[0]));
                } catch (NumberFormatException e) {
                    // Not the timing line.
                }
            }
        }
    }

    private static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
