package org.buildduty.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.runner.Runner;
import org.buildduty.exec.ssh.SshOptions;
import org.buildduty.exec.ssh.SshTarget;
import org.buildduty.exec.testing.Sshd;

/**
 * Measures the reconfig runbook's fan-out: the shape of its {@code reconfig} step (ssh over the masters,
 * {@code on_host_failure: continue}, {@code stuck_after 5m}, timeout 1h; see config/runbooks/reconfig.yml) over
 * {@code --masters} inventory aliases of one real sshd, with a stand-in for {@code buildbot reconfig} that sleeps a
 * random 1-3 s per master. The durations come from a fixed seed ({@code --seed}), one per master, so runs compare.
 *
 * <p>Prints, per parallel level: wall time; the slowest master's own time (host run, connect to close); wall /
 * slowest master; the best possible schedule of the sampled sleeps onto {@code parallel} slots (the LPT schedule,
 * longest first, and the lower bound max(longest, sum / parallel)); the schedule of the runner's own order (masters
 * in inventory order, each taking the first free slot); and wall / LPT. At parallel 10 over 50 masters the wall is
 * necessarily about five waves long, so wall / slowest master cannot reach 1.10 there; wall / LPT says how far the
 * runner is from the best any runner could do with those durations.
 *
 * <pre>{@code
 * bench/run ReconfigFanoutBench                         # 50 masters, parallel 50 (the runbook's default) and 10
 * bench/run ReconfigFanoutBench --parallel 50,10 --masters 50 --seed 42
 * }</pre>
 */
public final class ReconfigFanoutBench {
    private ReconfigFanoutBench() {
    }

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = BenchArgs.parse(args, Set.of(), "--parallel 50,10, --masters N, --seed N");
        int masters = Integer.parseInt(opts.getOrDefault("masters", "50"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "42"));
        List<Integer> parallels = BenchArgs.ints(opts.getOrDefault("parallel", "50,10"));
        Path dir = Files.createTempDirectory("buildduty-bench-reconfig");
        try (Sshd sshd = Sshd.start(dir.resolve("sshd"))) {
            Map<String, SshTarget> inventory = SshFanout.aliases(sshd, "bm%02d", masters);
            Map<String, Double> sleeps = new LinkedHashMap<>();
            Random random = new Random(seed);
            for (String name : inventory.keySet()) {
                sleeps.put(name, 1 + random.nextInt(2001) / 1000.0);   // 1.000 to 3.000 s
            }
            SshOptions options = SshFanout.options(sshd, dir);
            System.out.printf(Locale.ROOT, "sshd on 127.0.0.1:%d, %d master aliases, stand-in reconfig: sleep 1-3 s"
                    + " (seed %d, sum %.2f s, longest %.3f s), %d CPUs%n", sshd.port(), masters, seed,
                    sleeps.values().stream().mapToDouble(d -> d).sum(), Collections.max(sleeps.values()),
                    Runtime.getRuntime().availableProcessors());
            System.out.println("parallel  wall s  slowest master s  wall/slowest  LPT s  bound s  in-order s"
                    + "  wall/LPT  failed");
            SshFanout.levels(inventory, options, parallels, (runner, id, parallel) -> runLevel(runner, id, sleeps,
                    parallel));
        } finally {
            BenchArgs.deleteTree(dir);
        }
    }

    private static void runLevel(Runner runner, long id, Map<String, Double> sleeps, int parallel)
            throws Exception {
        StringBuilder command = new StringBuilder("case {{host}} in");
        sleeps.forEach((host, s) -> command.append(String.format(Locale.ROOT, " %s) d=%.3f ;;", host, s)));
        command.append(" esac; echo \"sending SIGHUP (stand-in, $d s)\"; sleep $d;"
                + " echo 'Reconfiguration appears to have completed successfully'");
        List<String> names = new ArrayList<>(sleeps.keySet());
        StepSpec step = new StepSpec("reconfig", "ssh", Map.of("command", command.toString()), names, parallel,
                Duration.ofHours(1), Duration.ofMinutes(5), OnHostFailure.CONTINUE, null);
        SshFanout.HostTimings timings = new SshFanout.HostTimings();
        SshFanout.Result r = SshFanout.run(runner, id, "reconfig", "masters", step, timings);
        double wall = r.wallSeconds();
        double slowest = timings.hostSeconds().values().stream().mapToDouble(d -> d).max().orElse(Double.NaN);
        List<Double> durations = new ArrayList<>(sleeps.values());
        double lpt = lpt(durations, parallel);
        double bound = Math.max(Collections.max(durations),
                durations.stream().mapToDouble(d -> d).sum() / Math.min(parallel, durations.size()));
        double inOrder = listSchedule(durations, parallel);
        System.out.printf(Locale.ROOT, "%8d  %6.2f  %16.2f  %12.3f  %5.2f  %7.2f  %10.2f  %8.3f  %6d%s%n",
                parallel, wall, slowest, wall / slowest, lpt, bound, inOrder, wall / lpt, timings.failed().size(),
                timings.outcome(r.end()));
        boolean all = parallel >= sleeps.size();
        BenchArgs.result(String.format(Locale.ROOT, "reconfig fan-out: wall / %s, %d masters at parallel %d",
                all ? "slowest master" : "LPT schedule", sleeps.size(), parallel), all ? "≤ 1.10" : "reported",
                String.format(Locale.ROOT, "%.3f (wall %.2f s), %d failed", all ? wall / slowest : wall / lpt, wall,
                        timings.failed().size()));
    }

    /** The makespan of longest-processing-time-first onto {@code slots} slots. */
    static double lpt(List<Double> durations, int slots) {
        List<Double> sorted = new ArrayList<>(durations);
        sorted.sort(Comparator.reverseOrder());
        return listSchedule(sorted, slots);
    }

    /** The makespan of the durations in this order, each on the slot that frees first. */
    static double listSchedule(List<Double> durations, int slots) {
        PriorityQueue<Double> free = new PriorityQueue<>();
        for (int i = 0; i < Math.min(slots, durations.size()); i++) {
            free.add(0.0);
        }
        double end = 0;
        for (double d : durations) {
            double t = free.poll() + d;
            end = Math.max(end, t);
            free.add(t);
        }
        return end;
    }
}
