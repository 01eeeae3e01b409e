package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;

/**
 * The shipped {@code buildbot-update.yml}: its guard rails (approval, exclusion, the lock reconfig takes) and its
 * commands, run with stub {@code docker} and {@code systemctl} that log their arguments: pull, restart with the new
 * image, roll back to the recorded one, and say clearly when none was recorded.
 */
class BuildbotUpdateRunbookTest {
    private static final FakeInventory INV = FakeInventory.local();

    @TempDir
    Path dir;
    private Path env;

    @BeforeEach
    void stubs() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : new String[] {"docker", "systemctl"}) {
            Path stub = bin.resolve(tool);
            Files.writeString(stub, "#!/bin/sh\necho \"" + tool + " $*\" >> " + dir.resolve("log") + "\n"
                    + "[ -f " + dir.resolve("fail") + " ] && exit 3\nexit 0\n");
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        env = dir.resolve("buildbot.env");
    }

    private Runbook runbook() {
        return new ShippedRunbooksTest().load().stream()
                .filter(r -> r.name().equals("buildbot-update")).findFirst().orElseThrow();
    }

    /** The command with the stubs first on PATH and the default env file and compose dir in the test's directory. */
    private ShellRun run(String command) throws Exception {
        return ShellRun.of("PATH=" + dir.resolve("bin") + ":$PATH; export PATH\n"
                + command.replace("/srv/buildbot/.env", env.toString()).replace("/srv/buildbot", dir.toString())
                + "\n", dir);
    }

    private String log() throws IOException {
        return Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "";
    }

    @Test
    void itIsGatedExclusiveAndTakesTheMastersLock() {
        Runbook rb = runbook();
        assertThat(rb.approval().role()).isEqualTo("releng");
        assertThat(rb.approval().required()).isEqualTo(1);
        assertThat(rb.approval().selfApprove()).isFalse();
        assertThat(rb.exclusion().hosts()).isTrue();
        assertThat(rb.exclusion().locks()).containsExactly("buildbot-masters");
        assertThat(ShippedRunbooksTest.SHIPPED.resolve("reconfig.yml")).content().contains("locks: [buildbot-masters]");
        assertThatThrownBy(() -> rb.plan(Map.of("masters", "local"), INV)).hasMessageContaining("image");
        OperationPlan plan = rb.plan(Map.of("masters", "local", "image", "bb:4.1"), INV);
        assertThat(plan.steps()).extracting(StepSpec::name).containsExactly("pull image", "restart",
                "wait for the API");
        assertThat(plan.steps().get(1).hosts()).containsExactly("local1", "local2", "local3");
        assertThat(plan.steps().get(1).rollback()).isNotNull();
        StepSpec api = plan.steps().get(2);
        assertThat(api.kind()).isEqualTo("wait_until");
        assertThat(api.arg("url")).isEqualTo("http://localhost:8010/api/v2/masters");
        assertThat(api.timeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void pullRestartAndRollbackSwitchTheRecordedImage() throws Exception {
        Files.writeString(env, "TZ=UTC\nBUILDBOT_IMAGE=bb:4.0\n");
        OperationPlan plan = runbook().plan(Map.of("masters", "local", "image", "bb:4.1"), INV);
        ShellRun pull = run(plan.steps().get(0).arg("command"));
        assertThat(pull.exit()).isZero();
        assertThat(pull.stdout()).contains("current image: bb:4.0");
        assertThat(log()).isEqualTo("docker pull bb:4.1\n");
        assertThat(Files.readString(env)).contains("BUILDBOT_IMAGE=bb:4.0");

        ShellRun restart = run(plan.steps().get(1).arg("command"));
        assertThat(restart.exit()).isZero();
        assertThat(restart.stdout()).contains("restarted buildbot-master with bb:4.1");
        assertThat(Files.readString(env)).isEqualTo("TZ=UTC\nBUILDBOT_IMAGE=bb:4.1\n");
        assertThat(log()).endsWith("docker compose up -d --no-deps buildbot-master\n");

        ShellRun back = run(plan.steps().get(1).rollback().arg("command"));
        assertThat(back.exit()).isZero();
        assertThat(back.stdout()).contains("restarted with the previous image: bb:4.0");
        assertThat(Files.readString(env)).contains("BUILDBOT_IMAGE=bb:4.0");
    }

    @Test
    void systemdRestartsTheUnitAndAFailedRestartGoesBackAtOnce() throws Exception {
        Files.writeString(env, "BUILDBOT_IMAGE=bb:4.0\n");
        OperationPlan plan = runbook().plan(Map.of("masters", "local", "image", "bb:4.1", "restart_with", "systemd",
                "service", "buildbot"), INV);
        assertThat(run(plan.steps().get(0).arg("command")).exit()).isZero();
        Files.writeString(dir.resolve("fail"), "");
        ShellRun restart = run(plan.steps().get(1).arg("command"));
        assertThat(restart.exit()).isEqualTo(3);
        assertThat(log()).endsWith("systemctl restart buildbot\nsystemctl restart buildbot\n");
        assertThat(Files.readString(env)).isEqualTo("BUILDBOT_IMAGE=bb:4.0\n");
    }

    @Test
    void withoutARecordedImageTheRollbackSaysWhyItCannotRun() throws Exception {
        OperationPlan plan = runbook().plan(Map.of("masters", "local", "image", "bb:4.1"), INV);
        assertThat(run(plan.steps().get(0).arg("command")).stdout()).contains("no previous image recorded");
        assertThat(run(plan.steps().get(1).arg("command")).exit()).isZero();
        ShellRun back = run("{ " + plan.steps().get(1).rollback().arg("command") + "\n} 2>&1");
        assertThat(back.exit()).isEqualTo(1);
        assertThat(back.stdout()).contains("no previous image recorded").contains("nothing to roll back to");
        assertThat(Files.readString(env)).contains("BUILDBOT_IMAGE=bb:4.1");
    }
}
