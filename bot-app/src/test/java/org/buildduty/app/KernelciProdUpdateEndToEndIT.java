package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.testing.FakeJenkins;
import org.buildduty.exec.testing.Sshd;

/**
 * The shipped kernelci-prod-update runbook, run by the real jar through the console against the Jenkins contract
 * fake and a real sshd (the deploy host): the tag is pushed, the tree monitor disabled, Jenkins drained (a running
 * build is waited for, with a progress line), the config checkouts updated and the (stand-in) ansible playbook run
 * over ssh, the pipe cleaner built with its parameters and followed, the confirm step approved on the console, the
 * monitor enabled and triggered once, in that order on Jenkins. Then a pipe cleaner that ends FAILURE: the operation
 * fails, and the rollbacks enable the monitor again, put the old config commits back and delete the tag.
 *
 * <p>The runbook is the shipped file with textual changes only: paths under /srv move to the test folder,
 * {@code self_approve} becomes true (the console is one identity, console:local, so nobody else could approve), and
 * the 30 s poll intervals become 1 s.
 */
class KernelciProdUpdateEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final Path SHIPPED = Path.of("..", "config", "runbooks", "kernelci-prod-update.yml");
    private static final String TOKEN = "11e1f0ab7c2d4e5f60718293a4b5c6d7e8";
    private static final String MONITOR = "kernel-tree-monitor";
    private static final String PIPE_CLEANER = "kernel-build-trigger";

    @TempDir
    Path dir;

    private Path root;
    private Sshd sshd;
    private FakeJenkins jenkins;

    @BeforeEach
    void setUp() throws Exception {
        root = dir.toRealPath();
        Path k = root.resolve("srv/kernelci");
        sh(String.join("\n",
                "set -e",
                "for r in kernelci-core kernelci-backend-config kernelci-frontend-config; do",
                "  git init -q -b main " + k + "/central/$r",
                "  git -C " + k + "/central/$r -c user.name=t -c user.email=t@e commit -q --allow-empty -m \"$r 1\"",
                "  git clone -q " + k + "/central/$r " + k + "/$r",
                "  git -C " + k + "/central/$r -c user.name=t -c user.email=t@e commit -q --allow-empty -m \"$r 2\"",
                "done",
                "mkdir -p " + root + "/srv/bin",
                "printf '%s\\n' '#!/bin/sh' 'echo \"ansible $* in $(basename \"$PWD\") at $(git log -1 --format=%s)\" "
                        + ">> " + root + "/ansible.log' 'echo \"PLAY RECAP production: ok=3 failed=0\"' > "
                        + root + "/srv/bin/ansible-playbook",
                "chmod +x " + root + "/srv/bin/ansible-playbook"));
        sshd = Sshd.start(dir.resolve("sshd"));
        Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        jenkins = FakeJenkins.start("buildduty", TOKEN);
        jenkins.addJob(MONITOR, "KCI_API_URL").nextBuild(4522).autoStart(1).autoFinish(1, "SUCCESS");
        jenkins.addJob(PIPE_CLEANER, "BUILD_CONFIG", "PUBLISH", "EMAIL").nextBuild(312).autoStart(2);
        jenkins.addJob("kernel-build").nextBuild(1201).autoFinish(3, "SUCCESS");
        Files.createDirectories(dir.resolve("runbooks"));
        String runbook = Files.readString(SHIPPED)
                .replace("/srv", root + "/srv")
                .replace("self_approve: false", "self_approve: true")
                .replace("interval: 30s", "interval: 1s");
        Files.writeString(dir.resolve("runbooks/kernelci-prod-update.yml"), runbook);
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors: [{ id: console, type: console }]
                roles: { releng: [] }
                inventory:
                  ssh: { known_hosts: known_hosts, key_file: "%s", user: %s, connect_timeout: 5s, keepalive: 2s }
                  hosts:
                    deploy1: { address: 127.0.0.1, port: %d, groups: [kernelci-deploy] }
                services:
                  jenkins: { url: "%s", user: buildduty, token_env: JENKINS_TOKEN }
                """.formatted(sshd.clientKey(), sshd.user(), sshd.port(), jenkins.url()));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (jenkins != null) {
            jenkins.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void updatesProductionInOrderAndAFailedPipeCleanerLeavesTheMonitorEnabled() throws Exception {
        jenkins.job(PIPE_CLEANER).autoFinish(2, "SUCCESS");
        int running = jenkins.running("kernel-build");
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("JENKINS_TOKEN", TOKEN))) {
            start(bot, "kernelci-20260105", 1);
            bot.expect("kernelci-prod-update #1 waits at step 6 \"pipe cleaner ok?\"", WAIT);
            String first = String.join("\n", bot.stdout());
            assertThat(first)
                    .contains("jenkins kernel-tree-monitor disabled")
                    .contains("waiting for Jenkins to be idle: kernel-build #" + running + " running")
                    .contains("jenkins kernel-build-trigger #312 started: " + jenkins.url()
                            + "job/kernel-build-trigger/312/")
                    .contains("jenkins kernel-build-trigger #312 SUCCESS in 12m 21s")
                    .contains("PLAY RECAP production: ok=3 failed=0")
                    .doesNotContain(TOKEN);
            assertThat(jenkins.job(MONITOR).disabled()).isTrue();
            bot.type("approve 1");
            List<String> done = bot.expect("succeeded", WAIT);
            assertThat(done.get(done.size() - 1)).contains("kernelci-prod-update #1");

            assertThat(jenkins.posts()).containsExactly(
                    "POST /job/kernel-tree-monitor/disable",
                    "POST /job/kernel-build-trigger/buildWithParameters",
                    "POST /job/kernel-tree-monitor/enable",
                    "POST /job/kernel-tree-monitor/buildWithParameters");
            List<String> requests = jenkins.requests();
            int disabled = requests.indexOf("POST /job/kernel-tree-monitor/disable");
            int triggered = requests.indexOf("POST /job/kernel-build-trigger/buildWithParameters?delay=0sec");
            assertThat(requests.subList(disabled, triggered)).as("idle polls between disable and the pipe cleaner")
                    .anyMatch(r -> r.startsWith("GET /queue/api/json?"))
                    .anyMatch(r -> r.startsWith("GET /computer/api/json?"));
            assertThat(jenkins.item(1843).params()).isEqualTo(Map.of("BUILD_CONFIG", "mainline", "PUBLISH", "true",
                    "EMAIL", "false"));
            assertThat(jenkins.job(MONITOR).disabled()).isFalse();
            assertThat(jenkins.job(MONITOR).result(4522)).isEqualTo("SUCCESS");
            assertThat(sh("git -C " + root + "/srv/kernelci/central/kernelci-core tag")).isEqualTo("kernelci-20260105");
            assertThat(Files.readAllLines(root.resolve("ansible.log"))).containsExactly(
                    "ansible -i hosts site.yml --limit production in kernelci-backend-config at "
                            + "kernelci-backend-config 2",
                    "ansible -i hosts site.yml --limit production in kernelci-frontend-config at "
                            + "kernelci-frontend-config 2");

            // the next pipe cleaner fails: everything is rolled back, the monitor first of all
            sh("for r in kernelci-backend-config kernelci-frontend-config; do git -C " + root
                    + "/srv/kernelci/central/$r -c user.name=t -c user.email=t@e commit -q --allow-empty -m \"$r 3\";"
                    + " done");
            jenkins.job(PIPE_CLEANER).autoFinish(2, "FAILURE");
            int before = jenkins.posts().size();
            start(bot, "kernelci-20260112", 2);
            List<String> end = bot.expect("rolled back", WAIT);
            String second = String.join("\n", bot.stdout());
            assertThat(second).contains("jenkins kernel-build-trigger #313 FAILURE in 12m 21s");
            assertThat(end.get(end.size() - 1)).contains("#2").contains("failed");
            BotProcess.awaitCondition("the monitor enabled again", WAIT, () -> !jenkins.job(MONITOR).disabled());
            assertThat(jenkins.posts().subList(before, jenkins.posts().size())).containsExactly(
                    "POST /job/kernel-tree-monitor/disable",
                    "POST /job/kernel-build-trigger/buildWithParameters",
                    "POST /job/kernel-tree-monitor/enable");
            assertThat(sh("git -C " + root + "/srv/kernelci/central/kernelci-core tag")).isEqualTo("kernelci-20260105");
            assertThat(Files.readAllLines(root.resolve("ansible.log"))).endsWith(
                    "ansible -i hosts site.yml --limit production in kernelci-backend-config at "
                            + "kernelci-backend-config 2",
                    "ansible -i hosts site.yml --limit production in kernelci-frontend-config at "
                            + "kernelci-frontend-config 2");
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }

    private void start(BotProcess bot, String tag, int id) throws Exception {
        bot.type("run kernelci-prod-update --tag " + tag + " --deploy-host deploy1 --ansible " + root
                + "/srv/bin/ansible-playbook");
        bot.expect("approve with \"!approve " + id + "\"", WAIT);
        bot.type("approve " + id);
        bot.expect("kernelci-prod-update #" + id + " approved by local; running", WAIT);
    }

    private String sh(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", script).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(script + "\n" + out).isTrue();
        return out.strip();
    }
}
