package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.exec.ExecRequest;
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

    List<Runbook> load() {
        return RunbookLoader.loadAll(SHIPPED, RunbookLoader.STANDARD_KINDS, INV);
    }

    Runbook named(String name) {
        return load().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void loadCleanly() {
        assertThat(Files.isDirectory(SHIPPED)).isTrue();
        assertThat(load()).extracting(Runbook::name).contains("demo", "demo-approval");
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
        assertThat(rb.plan(Map.of(), INV).paramSummary()).isEqualTo("message=hello from buildduty");
    }

    /** The step's command as the executor binds it for {@code host}. */
    private static String onHost(StepSpec step, String host) {
        return new ExecRequest(new OperationId(1), step, host, Duration.ofMinutes(1)).bind(step.arg("command"),
                ShellQuote::quote);
    }
}
