package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.jenkins.JenkinsExecutor;
import org.buildduty.core.InvalidValueException;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.ShellQuote;

/** The runbooks shipped in config/runbooks load against the default inventory and do what they say. */
class ShippedRunbooksTest {
    static final Path SHIPPED = Path.of("..", "config", "runbooks");
    static final FakeInventory INV = FakeInventory.local();

    @TempDir
    Path dir;

    /** As the bot loads them: the jenkins kind is known (and checked) with or without services.jenkins. */
    List<Runbook> load() {
        Set<String> kinds = new HashSet<>(RunbookLoader.STANDARD_KINDS);
        kinds.add(JenkinsExecutor.KIND);
        return RunbookLoader.loadAll(SHIPPED, kinds, List.of(JenkinsExecutor.unconfigured()), INV);
    }

    Runbook named(String name) {
        return load().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void loadCleanly() {
        assertThat(Files.isDirectory(SHIPPED)).isTrue();
        assertThat(load()).extracting(Runbook::name).contains("demo", "demo-approval", "kernelci-prod-update");
    }

    @Test
    void demoFansOutOverTheLocalGroupAndItsCommandsRun() throws Exception {
        OperationPlan plan = named("demo").plan(Map.of("pause", "0"), INV);
        assertThat(plan.approval().isRequired()).isFalse();
        assertThat(plan.unit()).isEqualTo("hosts");
        StepSpec prepare = plan.steps().get(0);
        assertThat(prepare.rollback()).isNotNull();
        assertThat(ShellRun.of(prepare.arg("command"), dir).stdout()).isEqualTo("prepare 1/3\nprepare 2/3\n"
                + "prepare 3/3\n");
        StepSpec fan = plan.steps().get(1);
        assertThat(fan.hosts()).containsExactly("local1", "local2", "local3");
        assertThat(fan.parallel()).isEqualTo(2);
        ShellRun onHost = ShellRun.of(onHost(fan, "local2"), dir);
        assertThat(onHost.stdout()).isEqualTo("starting on local2\nhalfway on local2\ndone on local2\n");
        assertThat(fan.rollback().hosts()).containsExactly("local1", "local2", "local3");
        assertThat(ShellRun.of(onHost(fan.rollback(), "local3"), dir).stdout())
                .isEqualTo("rolled back on local3\n");
        StepSpec finish = plan.steps().get(2);
        assertThat(ShellRun.of(finish.arg("command"), dir).exit()).isZero();
        StepSpec failing = named("demo").plan(Map.of("pause", "0", "fail", "yes"), INV).steps().get(2);
        assertThat(ShellRun.of(failing.arg("command"), dir).exit()).isEqualTo(1);
    }

    @Test
    void demoApprovalIsGatedAndPrintsAHostileMessageExactly() throws Exception {
        Runbook rb = named("demo-approval");
        assertThat(rb.approval().role()).isEqualTo("releng");
        assertThat(rb.approval().required()).isEqualTo(1);
        assertThat(rb.approval().selfApprove()).isTrue();
        assertThat(rb.approval().timeout()).isEqualTo(Duration.ofMinutes(15));
        Path canary = dir.resolve("canary");
        String message = "hi'; touch " + canary + "; echo '$(touch " + canary + ") `touch " + canary + "` \\n %s";
        OperationPlan plan = rb.plan(Map.of("message", message), INV);
        String command = plan.steps().get(0).arg("command");
        assertThat(command).isEqualTo("printf '%s\\n' " + ShellQuote.quote(message));
        ShellRun run = ShellRun.of(command, dir);
        assertThat(run.stdout()).isEqualTo(message + "\n");
        assertThat(Files.exists(canary)).isFalse();
        assertThat(rb.plan(Map.of(), INV).paramSummary()).isEqualTo("message='hello from buildduty'");
    }

    @Test
    void reconfigLoadsWithoutAMastersGroupAndNamesWhatIsMissing() {
        Runbook rb = named("reconfig");
        assertThat(rb.alias()).isEqualTo("reconfig");
        assertThat(rb.role()).isEqualTo("releng");
        assertThat(rb.approval().required()).isEqualTo(1);
        assertThat(rb.approval().selfApprove()).isFalse();
        assertThat(rb.hasDryRun()).isTrue();
        assertThat(rb.synopsis()).startsWith("[--masters GROUP] [--revision REVISION] [--parallel N] [--dry-run]");
        assertThatThrownBy(() -> rb.plan(Map.of(), INV)).isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("bad value for --masters: unknown group or host \"masters\"");
        OperationPlan plan = rb.plan(Map.of("masters", "local", "revision", "4f2a9c1"), INV);
        assertThat(plan.unit()).isEqualTo("masters");
        assertThat(plan.steps()).extracting(StepSpec::name)
                .containsExactly("move production tag", "update checkouts", "reconfig");
        assertThat(plan.steps().get(0).arg("command")).contains("move '/builds/buildbot/release/buildbot-configs'"
                + " '4f2a9c1'\n");
        StepSpec reconfig = plan.steps().get(2);
        assertThat(reconfig.hosts()).containsExactly("local1", "local2", "local3");
        assertThat(reconfig.parallel()).isEqualTo(50);
        assertThat(reconfig.onHostFailure()).isEqualTo(OnHostFailure.CONTINUE);
        assertThat(reconfig.stuckAfter()).isEqualTo(Duration.ofMinutes(5));
        assertThat(reconfig.arg("command")).startsWith("buildbot checkconfig '/builds/buildbot/master' || exit $?\n");
        assertThatThrownBy(() -> rb.plan(Map.of("masters", "local", "master_dir", "/etc"), INV))
                .hasMessageStartingWith("bad value for --master_dir");
    }

    @Test
    void kernelciProdUpdateDrainsJenkinsAndRollsBackToAnEnabledMonitor() {
        Runbook rb = named("kernelci-prod-update");
        assertThat(rb.role()).isEqualTo("releng");
        assertThat(rb.approval().role()).isEqualTo("releng");
        assertThat(rb.approval().required()).isEqualTo(1);
        assertThatThrownBy(() -> rb.plan(Map.of("tag", "kernelci-20260105"), INV))
                .hasMessageStartingWith("bad value for --deploy_host: unknown group or host \"kernelci-deploy\"");
        OperationPlan plan = rb.plan(Map.of("tag", "kernelci-20260105", "deploy_host", "local1"), INV);
        assertThat(plan.steps()).extracting(StepSpec::name).containsExactly("tag release", "pause tree monitor",
                "wait for jenkins", "update backend and frontend", "pipe cleaner", "pipe cleaner ok?",
                "resume tree monitor", "run tree monitor");
        assertThat(plan.steps()).extracting(StepSpec::kind).containsExactly("local", "jenkins", "jenkins", "ssh",
                "jenkins", StepSpec.CONFIRM, "jenkins", "jenkins");
        StepSpec pause = plan.steps().get(1);
        assertThat(pause.args()).containsEntry("action", "disable").containsEntry("job", "kernel-tree-monitor");
        assertThat(pause.rollback().kind()).isEqualTo("jenkins");
        assertThat(pause.rollback().args()).containsEntry("action", "enable").containsEntry("job",
                "kernel-tree-monitor");
        assertThat(plan.steps().get(0).rollback()).isNotNull();
        assertThat(plan.steps().get(3).rollback()).isNotNull();
        assertThat(plan.steps().get(3).hosts()).containsExactly("local1");
        assertThat(plan.steps().get(2).timeout()).isEqualTo(Duration.ofHours(3));
        assertThat(plan.steps().get(4).args().get("params")).isEqualTo(Map.of("BUILD_CONFIG", "mainline",
                "PUBLISH", "true", "EMAIL", "false"));
        assertThat(plan.steps().get(0).arg("command")).contains("git -C '/srv/kernelci/kernelci-core' tag "
                + "'kernelci-20260105' \"$new\"");
    }

    /** The reconfig step's shell logic, with a stand-in buildbot on PATH. */
    @Test
    void reconfigSucceedsOnlyWhenBuildbotSaysSoAndKeepsItsExitCode() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path buildbot = bin.resolve("buildbot");
        String command = named("reconfig").plan(Map.of("masters", "local"), INV).steps().get(2).arg("command");
        String[][] cases = {
            {"echo sending SIGHUP; echo 'Reconfiguration appears to have completed successfully'; exit 0", "0"},
            {"echo 'Reconfiguration failed. Please inspect the master.cfg file for errors'; exit 1", "1"},
            {"echo 'Never saw reconfiguration finish.'; exit 3", "3"},
            {"echo 'Traceback: no twistd.pid'; exit 0", "1"},
        };
        for (String[] c : cases) {
            Files.writeString(buildbot, "#!/bin/sh\nif [ \"$1\" = checkconfig ]; then echo 'Config file is good!';"
                    + " exit 0; fi\n" + c[0] + "\n");
            buildbot.toFile().setExecutable(true);
            ShellRun run = ShellRun.of("PATH=" + bin + ":$PATH\n" + command, dir);
            assertThat(run.exit()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
            assertThat(run.stdout()).doesNotContain("buildbot reconfig: exit");
        }
        Files.writeString(buildbot, "#!/bin/sh\necho \"SyntaxError: '(' was never closed\"; exit 1\n");
        ShellRun broken = ShellRun.of("PATH=" + bin + ":$PATH\n" + command, dir);
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.stdout()).isEqualTo("SyntaxError: '(' was never closed\n");
    }

    /** The tag and checkout steps on real git repositories: a central repo, the bot's clone, a master's clone. */
    @Test
    void reconfigMovesTheProductionTagAndChecksItOut() throws Exception {
        Path root = dir.toRealPath();
        String yml = Files.readString(SHIPPED.resolve("reconfig.yml")).replace("/builds", root.toString());
        Path copy = Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(copy.resolve("reconfig.yml"), yml);
        Runbook rb = RunbookLoader.loadAll(copy, RunbookLoader.STANDARD_KINDS, INV).get(0);
        Path b = root.resolve("buildbot");
        String setup = String.join("\n",
                "set -e",
                "for r in buildbot-configs tools; do",
                "  git init -q -b main " + b + "/central/$r",
                "  git -C " + b + "/central/$r -c user.name=t -c user.email=t@e commit -q --allow-empty -m \"$r one\"",
                "  git -C " + b + "/central/$r -c user.name=t -c user.email=t@e commit -q --allow-empty -m \"$r two\"",
                "  git clone -q " + b + "/central/$r " + b + "/release/$r",
                "done",
                "git clone -q " + b + "/central/buildbot-configs " + b + "/configs",
                "git clone -q " + b + "/central/tools " + b + "/tools",
                "git -C " + b + "/central/buildbot-configs rev-parse --short HEAD~1");
        ShellRun made = ShellRun.of(setup, dir);
        assertThat(made.exit()).isZero();
        String first = made.stdout().strip();
        OperationPlan plan = rb.plan(Map.of("masters", "local", "revision", first), INV);
        ShellRun tag = ShellRun.of(plan.steps().get(0).arg("command"), dir);
        assertThat(tag.exit()).isZero();
        assertThat(tag.stdout()).contains("buildbot-configs: production none -> " + first);
        ShellRun checkout = ShellRun.of(onHost(plan.steps().get(1), "local1"), dir);
        assertThat(checkout.exit()).isZero();
        assertThat(checkout.stdout()).contains(b + "/configs at " + first + " buildbot-configs one")
                .contains(b + "/tools at ").contains(" tools two");
        ShellRun tip = ShellRun.of(rb.plan(Map.of("masters", "local"), INV).steps().get(0).arg("command"), dir);
        assertThat(tip.stdout()).contains("buildbot-configs: production " + first + " -> ");
        ShellRun unknown = ShellRun.of(rb.plan(Map.of("masters", "local", "revision", "nosuch"), INV).steps().get(0)
                .arg("command"), dir);
        assertThat(unknown.exit()).isNotZero();
    }

    @Test
    void workerRepoChangeIsATransactionGatedByReleng() {
        Runbook rb = named("worker-repo-change");
        assertThat(rb.role()).isEqualTo("releng");
        assertThat(rb.approval().role()).isEqualTo("releng");
        assertThat(rb.approval().selfApprove()).isFalse();
        assertThat(rb.hasDryRun()).isTrue();
        OperationPlan plan = rb.plan(Map.of("workers", "local", "content", "[x]"), INV);
        assertThat(plan.onRestart()).isEqualTo(org.buildduty.core.operation.OnRestart.ROLLBACK);
        assertThat(plan.exclusion().hosts()).isTrue();
        assertThat(plan.unit()).isEqualTo("workers");
        assertThat(plan.steps()).extracting(StepSpec::name).containsExactly("apply", "verify");
        assertThat(plan.steps().get(0).rollback().hosts()).containsExactly("local1", "local2", "local3");
        assertThat(plan.steps().get(1).arg("command")).isEqualTo("sh -c 'dnf -q repolist' verify {{host}}");
        assertThatThrownBy(() -> rb.plan(Map.of("workers", "local", "repo_file", "/etc/passwd"), INV))
                .hasMessageStartingWith("bad value for --repo_file");
    }

    /** Apply, a failing verify and the rollback, run by a shell on files in a temp folder. */
    @Test
    void workerRepoChangeKeepsTheOldFileAndPutsItBack() throws Exception {
        Path root = dir.toRealPath();
        String yml = Files.readString(SHIPPED.resolve("worker-repo-change.yml"))
                .replace("/etc/yum.repos.d", root.toString()).replace("/srv/repos", root.toString());
        Path copy = Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(copy.resolve("worker-repo-change.yml"), yml);
        Runbook rb = RunbookLoader.loadAll(copy, RunbookLoader.STANDARD_KINDS, INV).get(0);
        Path repo = root.resolve("buildduty.repo");
        Files.writeString(repo, "[old]\n");
        String hostile = "[new]\\nbaseurl=http://x/$(touch " + root + "/canary)";
        OperationPlan plan = rb.plan(Map.of("workers", "local", "content", hostile, "verify", "test \"$1\" = local2"),
                INV);
        ShellRun apply = ShellRun.of(onHost(plan.steps().get(0), "local1"), dir);
        assertThat(apply.exit()).as(apply.stdout()).isZero();
        assertThat(Files.readString(repo)).isEqualTo("[new]\nbaseurl=http://x/$(touch " + root + "/canary)\n");
        assertThat(root.resolve("canary")).doesNotExist();
        assertThat(ShellRun.of(onHost(plan.steps().get(1), "local1"), dir).exit()).isEqualTo(1);
        assertThat(ShellRun.of(onHost(plan.steps().get(1), "local2"), dir).exit()).isZero();
        ShellRun restore = ShellRun.of(onHost(plan.steps().get(0).rollback(), "local1"), dir);
        assertThat(restore.exit()).isZero();
        assertThat(Files.readString(repo)).isEqualTo("[old]\n");

        // a worker without the file gets it removed again; --source is copied when --content is empty
        Files.delete(repo);
        Files.writeString(root.resolve("buildduty.repo.new"), "[from source]\n");
        OperationPlan fromSource = rb.plan(Map.of("workers", "local"), INV);
        assertThat(ShellRun.of(onHost(fromSource.steps().get(0), "local1"), dir).exit()).isZero();
        assertThat(Files.readString(repo)).isEqualTo("[from source]\n");
        assertThat(ShellRun.of(onHost(fromSource.steps().get(0).rollback(), "local1"), dir).exit()).isZero();
        assertThat(repo).doesNotExist();
    }

    /** The step's command as the executor binds it for {@code host}. */
    private static String onHost(StepSpec step, String host) {
        return new ExecRequest(new OperationId(1), step, host, Duration.ofMinutes(1)).bind(step.arg("command"),
                ShellQuote::quote);
    }
}
