package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;

/**
 * The runbooks of config/examples/runbooks (docs/first-fleet.md) load with the real loader and their commands do
 * what the walkthrough says, run by /bin/sh with stand-ins for sudo, curl and sleep on PATH.
 */
class ExampleRunbooksTest {
    static final Path EXAMPLES = Path.of("..", "config", "examples", "runbooks");
    static final FakeInventory INV = new FakeInventory().group("web", "web01", "web02", "web03");

    @TempDir
    Path dir;

    Runbook rollingRestart() {
        List<Runbook> all = RunbookLoader.loadAll(EXAMPLES, RunbookLoader.STANDARD_KINDS, INV);
        assertThat(all).extracting(Runbook::name).containsExactly("rolling-restart");
        return all.get(0);
    }

    @Test
    void rollingRestartGoesOneHostAtATimeAndStopsAtTheFirstUnhealthyOne() {
        Runbook rb = rollingRestart();
        assertThat(rb.alias()).isEqualTo("rolling-restart");
        assertThat(rb.role()).isEqualTo("releng");
        assertThat(rb.approval().required()).isEqualTo(1);
        assertThat(rb.approval().selfApprove()).isFalse();
        assertThat(rb.approval().timeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(rb.hasDryRun()).isTrue();
        OperationPlan plan = rb.plan(Map.of(), INV);
        assertThat(plan.unit()).isEqualTo("hosts");
        StepSpec check = plan.steps().get(0);
        assertThat(check.hosts()).containsExactly("web01", "web02", "web03");
        assertThat(check.parallel()).isEqualTo(10);
        assertThat(check.onHostFailure()).isEqualTo(OnHostFailure.CONTINUE);
        StepSpec restart = plan.steps().get(1);
        assertThat(restart.parallel()).isEqualTo(1);
        assertThat(restart.onHostFailure()).isEqualTo(OnHostFailure.STOP);
        assertThat(restart.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(restart.stuckAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(restart.rollback()).isNull();
    }

    @Test
    void restartWaitsForTheHealthCheckAndFailsWhenItNeverPasses() throws Exception {
        String command = rollingRestart().plan(Map.of("service", "worker", "port", "9090"), INV).steps().get(1)
                .arg("command");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        stub(bin, "sudo", "echo \"sudo $*\" >> calls");
        stub(bin, "sleep", "echo sleep >> calls");
        // healthy from the third check on: the first two answer "connection refused"
        stub(bin, "curl", "echo \"curl $*\" >> calls; n=$(grep -c '^curl' calls); [ \"$n\" -ge 3 ]");
        ShellRun healthy = ShellRun.of("PATH=" + bin + ":$PATH\n" + command, dir);
        assertThat(healthy.exit()).isZero();
        assertThat(healthy.stdout()).isEqualTo("healthy after 3 checks\n");
        List<String> calls = Files.readAllLines(dir.resolve("calls"));
        assertThat(calls.get(0)).isEqualTo("sudo -n systemctl restart worker");
        assertThat(calls).filteredOn(l -> l.startsWith("curl")).hasSize(3)
                .allMatch(l -> l.endsWith("http://127.0.0.1:9090/healthz"));
        assertThat(calls).filteredOn(l -> l.equals("sleep")).hasSize(2);

        Files.delete(dir.resolve("calls"));
        stub(bin, "curl", "echo \"curl $*\" >> calls; exit 7");
        ShellRun never = ShellRun.of("PATH=" + bin + ":$PATH\n" + command, dir);
        assertThat(never.exit()).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve("calls"))).filteredOn(l -> l.startsWith("curl")).hasSize(30);

        stub(bin, "sudo", "exit 4");
        ShellRun refused = ShellRun.of("PATH=" + bin + ":$PATH\n" + command, dir);
        assertThat(refused.exit()).isEqualTo(4);
    }

    private static void stub(Path bin, String name, String body) throws Exception {
        Path f = bin.resolve(name);
        Files.writeString(f, "#!/bin/sh\n" + body + "\n");
        assertThat(f.toFile().setExecutable(true)).isTrue();
    }
}
