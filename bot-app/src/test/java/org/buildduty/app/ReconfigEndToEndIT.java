package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.exec.testing.Sshd;

/**
 * The shipped reconfig runbook, run by the real jar through the console, over three "masters" (inventory aliases of
 * one real sshd) that each hold a real, daemonised Debian buildbot master: every master reports the reconfiguration
 * complete; a broken master.cfg names that master failed with its exit code and error line while the others finish;
 * a master that does not answer (its process SIGSTOPped) is reported stuck with its last line.
 *
 * <p>The runbook is the shipped file with three textual changes, because the masters share one machine: every path
 * default moves from /builds to the test folder, each master's checkouts and basedir get the host name appended
 * ({@code {{master_dir}}/{{host}}}), and {@code self_approve} is true, because the console has one identity
 * (console:local), so nobody else could approve. The reconfig step's {@code stuck_after} becomes 8s: the buildbot
 * CLI can take over 3 s to print its first line on a loaded 2-core machine.
 */
class ReconfigEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path SHIPPED = Path.of("..", "config", "runbooks", "reconfig.yml");
    private static final List<String> MASTERS = List.of("bm01", "bm02", "bm03");
    private static final String MASTER_CFG = """
            from buildbot.plugins import util, worker, schedulers
            c = BuildmasterConfig = {}
            c['workers'] = [worker.Worker("w1", "pw")]
            c['protocols'] = {'pb': {'port': "tcp:0:interface=127.0.0.1"}}
            c['builders'] = [util.BuilderConfig(name="noop", workernames=["w1"], factory=util.BuildFactory())]
            c['schedulers'] = [schedulers.ForceScheduler(name="force", builderNames=["noop"])]
            c['change_source'] = []
            c['title'] = "TITLE"
            c['db'] = {'db_url': "sqlite:///state.sqlite"}
            c['buildbotNetUsageData'] = None
            """;

    @TempDir
    Path dir;

    private Path root;
    private Sshd sshd;
    private final List<Long> masterPids = new ArrayList<>();

    @BeforeEach
    void masters() throws Exception {
        root = dir.toRealPath();
        Path b = root.resolve("buildbot");
        sh(String.join("\n",
                "set -e",
                "for r in buildbot-configs tools; do",
                "  git init -q -b main " + b + "/central/$r",
                "  git -C " + b + "/central/$r -c user.name=t -c user.email=t@e commit -q --allow-empty -m \"$r 1\"",
                "  git clone -q " + b + "/central/$r " + b + "/release/$r",
                "  for m in " + String.join(" ", MASTERS) + "; do",
                "    git clone -q " + b + "/central/$r " + b + "/$(test $r = tools && echo tools || echo configs)/$m",
                "  done",
                "done"));
        List<Process> creating = new ArrayList<>();
        Files.createDirectories(root.resolve("buildbot/master"));
        for (String m : MASTERS) {
            creating.add(process("buildbot", "create-master", "-r", master(m).toString()));
        }
        for (int i = 0; i < MASTERS.size(); i++) {
            assertThat(creating.get(i).waitFor(60, TimeUnit.SECONDS)).as("buildbot create-master").isTrue();
            assertThat(master(MASTERS.get(i)).resolve("buildbot.tac")).as("buildbot create-master (exits 0 even"
                    + " when it fails): " + Files.readString(dir.resolve("masters.log"))).exists();
        }
        List<Process> starting = new ArrayList<>();
        for (String m : MASTERS) {
            Files.writeString(master(m).resolve("master.cfg"), MASTER_CFG.replace("TITLE", m));
            starting.add(process("buildbot", "start", master(m).toString()));
        }
        for (int i = 0; i < MASTERS.size(); i++) {
            Process p = starting.get(i);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("buildbot start").isTrue();
            Path pidFile = master(MASTERS.get(i)).resolve("twistd.pid");
            if (Files.exists(pidFile)) {
                masterPids.add(Long.parseLong(Files.readString(pidFile).strip()));
            }
            assertThat(p.exitValue()).as("buildbot start " + MASTERS.get(i)).isZero();
        }
        sshd = Sshd.start(dir.resolve("sshd"));
        Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        Files.createDirectories(dir.resolve("runbooks"));
        String runbook = Files.readString(SHIPPED)
                .replace("/builds", root.toString())
                .replace("self_approve: false", "self_approve: true")
                .replace("stuck_after: 5m", "stuck_after: 8s");
        for (String param : List.of("configs_dir", "tools_dir", "master_dir")) {
            runbook = runbook.replace("{{" + param + "}}", "{{" + param + "}}/{{host}}");
        }
        Files.writeString(dir.resolve("runbooks/reconfig.yml"), runbook);
        StringBuilder hosts = new StringBuilder();
        for (String m : MASTERS) {
            hosts.append("    ").append(m).append(": { address: 127.0.0.1, port: ").append(sshd.port())
                    .append(", groups: [masters] }\n");
        }
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors: [{ id: console, type: console }]
                inventory:
                  ssh: { known_hosts: known_hosts, key_file: "%s", user: %s, connect_timeout: 5s, keepalive: 2s }
                  hosts:
                """.formatted(sshd.clientKey(), sshd.user()) + hosts);
    }

    @AfterEach
    void stop() throws Exception {
        for (long pid : masterPids) {
            signal("CONT", pid);
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void reconfigsEveryMasterNamesTheBrokenOneAndTheStuckOne() throws Exception {
        assertThat(masterPids).hasSize(3);
        String pending;
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of())) {
            bot.type("reconfig --dry-run --masters bm01,bm02 --revision main");
            List<String> plan = bot.expect("3. reconfig (ssh on bm01, bm02 (2 hosts)", WAIT);
            plan.addAll(bot.expect("buildbot checkconfig '" + root + "/buildbot/master'/{{host}}", WAIT));
            assertThat(String.join("\n", plan))
                    .contains("reconfig dry run (nothing started): masters='bm01,bm02 (2)' revision=main parallel=50")
                    .contains("would need approval: 1 of role releng")
                    .contains("move '" + root + "/buildbot/release/buildbot-configs' 'main'");
            bot.type("ops");
            bot.expect("no operations", WAIT);

            run(bot, 1);
            String all = String.join("\n", bot.expect("reconfig #1 [", WAIT));
            all += String.join("\n", bot.expect("succeeded", WAIT));
            for (String m : MASTERS) {
                assertThat(String.join("\n", bot.stdout()))
                        .contains("#1 " + m + "| Reconfiguration appears to have completed successfully");
                assertThat(Files.readString(master(m).resolve("twistd.log")))
                        .contains("configuration update complete");
            }
            assertThat(sh("git -C " + root + "/buildbot/configs/bm02 describe --tags")).isEqualTo("production");

            Path cfg = master("bm02").resolve("master.cfg");
            String good = Files.readString(cfg);
            Files.writeString(cfg, good + "oops(\n");
            run(bot, 2);
            List<String> failed = bot.expect("#2 failed: bm02", WAIT);
            failed.addAll(bot.expect("reconfig #2 [", WAIT));
            String second = String.join("\n", bot.stdout());
            assertThat(second).contains("#2 failed: bm02").contains("SyntaxError: '(' was never closed");
            assertThat(failed.stream().filter(l -> l.contains("#2 failed: bm02")).findFirst().orElseThrow())
                    .contains("exit 1");
            assertThat(second).contains("#2 bm01| Reconfiguration appears to have completed successfully")
                    .contains("#2 bm03| Reconfiguration appears to have completed successfully")
                    .doesNotContain("#2 failed: bm01").doesNotContain("#2 failed: bm03");

            Files.writeString(cfg, good);
            signal("STOP", masterPids.get(2));
            run(bot, 3);
            List<String> stuck = bot.expect("#3 bm03 stuck: no output for", WAIT);
            assertThat(stuck.get(stuck.size() - 1)).contains("last: sending SIGHUP to process " + masterPids.get(2));
            bot.expect("#3 failed: bm03", WAIT);
            bot.expect("reconfig #3 [", WAIT);
            String third = String.join("\n", bot.stdout());
            assertThat(third).contains("#3 bm01| Reconfiguration appears to have completed successfully")
                    .contains("#3 bm02| Reconfiguration appears to have completed successfully")
                    .contains("Never saw reconfiguration finish.");
            signal("CONT", masterPids.get(2));

            // kill -9 in the middle of a fan-out (bm03 hangs), with another reconfig waiting for approval
            signal("STOP", masterPids.get(2));
            run(bot, 4);
            awaitStdout(bot, "#4 bm01| Reconfiguration appears to have completed successfully",
                    "#4 bm02| Reconfiguration appears to have completed successfully");
            long until = System.nanoTime() + WAIT.toNanos();
            do {
                assertThat(System.nanoTime()).as("bm01 and bm02 done in the journal: %s", bot.stdout())
                        .isLessThan(until);
                bot.type("op 4");
                bot.expect("step 3 reconfig: ", WAIT);
            } while (bot.stdout().stream().noneMatch(l -> l.contains("step 3 reconfig: 2/3 ok, 1 running")));
            bot.type("reconfig");
            pending = bot.expect("approve with \"!approve 5\"", WAIT).stream()
                    .filter(l -> l.contains("reconfig #5 by")).findFirst().orElseThrow();
            bot.kill();
        }
        signal("CONT", masterPids.get(2));
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of())) {
            bot.expect("reconfig #4 interrupted: the bot restarted while it was running; completed: step 1 move "
                    + "production tag (1/1 ok), step 2 update checkouts (3/3 ok), step 3 reconfig (2/3 ok, 1 cut off)"
                    + "; not re-run", WAIT);
            Matcher expires = Pattern.compile("expires \\d\\d:\\d\\dZ")
                    .matcher(pending);
            assertThat(expires.find()).as(pending).isTrue();
            bot.type("ops");
            List<String> ops = bot.expect("reconfig #5 by local · pending approval", WAIT);
            assertThat(ops.get(ops.size() - 1)).as("the request keeps its expiry").contains(expires.group());
            bot.type("approve 5");
            bot.expect("reconfig #5 approved by local; running", WAIT);
            bot.expect("reconfig #5 [############] 3/3 masters · succeeded", WAIT);
            assertThat(bot.stdout()).noneMatch(l -> l.startsWith("#4 "));
            assertThat(bot.stdout()).filteredOn(l -> l.contains("#5 ") && l.contains("Reconfiguration appears"))
                    .hasSize(3);
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    /** Waits until stdout holds every one of these lines, in any order. */
    private static void awaitStdout(BotProcess bot, String... lines) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!Arrays.stream(lines).allMatch(l -> bot.stdout().stream().anyMatch(o -> o.contains(l)))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not all of " + List.of(lines) + " within " + WAIT + "; stdout: "
                        + bot.stdout());
            }
            Thread.sleep(50);
        }
    }

    private static void run(BotProcess bot, int id) throws Exception {
        bot.type("reconfig");
        bot.expect("approve with \"!approve " + id + "\"", WAIT);
        bot.type("approve " + id);
        bot.expect("reconfig #" + id + " approved by local; running", WAIT);
    }

    private Path master(String name) {
        return root.resolve("buildbot/master").resolve(name);
    }

    private Process process(String... command) throws IOException {
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("masters.log").toFile())).start();
    }

    private String sh(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", script).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(script + "\n" + out).isTrue();
        return out.strip();
    }

    /** Sends one signal to one process this test started, by its PID. */
    private static void signal(String name, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
    }
}
