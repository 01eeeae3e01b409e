package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.config.ConfigException;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;

/**
 * The {@code confirm} step of a runbook: {@code message} and {@code role} required, {@code required} (default 1),
 * {@code self_approve} (default false) and {@code timeout} (default the start approval's); it runs nothing, so it
 * has no hosts, command, rollback or step timeout. Every bad value is one {@code file:line: field: message}.
 */
class RunbookConfirmTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("deploy.yml"), yaml);
    }

    private List<Runbook> load() {
        return RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, RunbookLoaderTest.INV);
    }

    private List<String> errors() {
        try {
            load();
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("loaded without errors");
    }

    private static String runbook(String... confirmLines) {
        return String.join("\n", "name: deploy", "role: releng", "params:",
                "  canary: { type: host, default: local1 }", "steps:",
                "  - name: stage", "    local: { command: \"true\" }",
                "  - name: canary ok?", String.join("\n", confirmLines),
                "  - name: finish", "    local: { command: \"true\" }", "");
    }

    @Test
    void theIssueExampleLoadsAndPlansAConfirmStepWithItsPolicy() throws IOException {
        write(runbook("    confirm: { message: \"check the canary dashboards of {{canary}}\", role: releng, "
                + "required: 2, self_approve: true, timeout: 30m }"));
        Runbook rb = load().get(0);
        OperationPlan plan = RunbookPlanner.plan(rb, Map.of(), RunbookLoaderTest.INV);
        StepSpec confirm = plan.steps().get(1);
        assertThat(confirm.isConfirm()).isTrue();
        assertThat(confirm.name()).isEqualTo("canary ok?");
        assertThat(confirm.hosts()).isEmpty();
        assertThat(confirm.rollback()).isNull();
        assertThat(confirm.confirmMessage()).isEqualTo("check the canary dashboards of local1");
        assertThat(confirm.confirmPolicy()).isEqualTo(new ApprovalPolicy("releng", 2, true, Duration.ofMinutes(30)));
        assertThat(DryRun.lines(plan)).contains("2. canary ok? (confirm: waits for 2 of role releng, at most 30m): "
                + "check the canary dashboards of local1");
    }

    @Test
    void requiredSelfApproveAndTimeoutHaveTheStartApprovalsDefaults() throws IOException {
        write(runbook("    confirm: { message: \"go?\", role: ops }"));
        StepSpec confirm = RunbookPlanner.plan(load().get(0), Map.of(), RunbookLoaderTest.INV).steps().get(1);
        assertThat(confirm.confirmPolicy()).isEqualTo(new ApprovalPolicy("ops", 1, false,
                ApprovalPolicy.DEFAULT_TIMEOUT));
    }

    @Test
    void badValuesAreReportedWithFileLineAndField() throws IOException {
        String f = write(String.join("\n",
                "name: deploy",
                "role: releng",
                "steps:",
                "  - name: a",
                "    confirm: { role: releng, required: 0, colour: red }",
                "  - name: b",
                "    confirm:",
                "      message: \"\"",
                "      role: anyone",
                "      self_approve: maybe",
                "      timeout: 30",
                "  - name: c",
                "    confirm: { message: \"ok?\", role: releng, hosts: masters }",
                "    timeout: 5m",
                "    rollback: { local: { command: \"true\" } }",
                "  - name: d",
                "    confirm: check",
                "  - name: e",
                "    local: { command: \"true\" }",
                "    rollback: { confirm: { message: \"ok?\", role: releng } }",
                "  - name: f",
                "    confirm: { message: \"see {{nope}}\", role: releng, required: 11 }",
                "")).toString();
        assertThat(errors()).containsExactly(
                f + ":5: steps[0].confirm.colour: unknown key (known: message, required, role, self_approve, timeout)",
                f + ":5: steps[0].confirm.message: missing",
                f + ":5: steps[0].confirm.required: must be 1 to 10",
                f + ":8: steps[1].confirm.message: a confirm step needs a message (one line of text saying what to "
                        + "check)",
                f + ":9: steps[1].confirm.role: must be a role name ([A-Za-z0-9._-]{1,40}), not \"anyone\"",
                f + ":10: steps[1].confirm.self_approve: expected true or false, not \"maybe\"",
                f + ":11: steps[1].confirm.timeout: not a duration: \"30\" (use a number and a unit: 30s, 10m, 2h, "
                        + "7d, 1h30m)",
                f + ":13: steps[2].confirm.hosts: unknown key (known: message, required, role, self_approve, "
                        + "timeout)",
                f + ":14: steps[2].timeout: a confirm step runs nothing, so it has no timeout (its expiry is "
                        + "confirm.timeout)",
                f + ":15: steps[2].rollback: a confirm step runs nothing, so it has no rollback",
                f + ":17: steps[3].confirm: expected a mapping: message, role, required, self_approve, timeout",
                f + ":20: steps[4].rollback.confirm: a rollback cannot be a confirm step (it runs while the "
                        + "operation fails)",
                f + ":22: steps[5].confirm.message: unknown parameter {{nope}} (no parameters are declared)",
                f + ":22: steps[5].confirm.required: must be 1 to 10");
    }
}
