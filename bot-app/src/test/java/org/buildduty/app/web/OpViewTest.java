package org.buildduty.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.Redactor;

/** The web page's view of a step with retries: one row per attempt, the ones before a host's last marked retried. */
class OpViewTest {
    private static final Instant T0 = Instant.parse("2026-11-21T09:00:00Z");

    @Test
    void attemptsOfARetriedHostAreShownAndCountedOnce() {
        StepSpec deploy = new StepSpec("deploy", "ssh", Map.of("command", "x"), List.of("bm01", "bm03"), 2, null,
                null, OnHostFailure.STOP, null, 2, Duration.ofSeconds(30));
        OperationPlan plan = new OperationPlan("deploy", Map.of(), List.of(deploy), ApprovalPolicy.NONE, "hosts");
        OperationRecord op = new OperationRecord(new OperationId(5), plan, Identity.parse("console:local"),
                ChatAddress.of("console", "local"), T0, OperationState.SUCCEEDED, T0, T0.plusSeconds(90), null, "");
        List<HostRunRecord> runs = List.of(
                run("bm01", 0, StepResult.succeeded("bm01", 0, "")),
                run("bm03", 0, StepResult.failed("bm03", 1, "", "")),
                run("bm03", 30, StepResult.failed("bm03", 1, "", "")),
                run("bm03", 60, StepResult.succeeded("bm03", 0, "")));

        OpView v = OpView.of(op, runs, Redactor.NONE);

        assertThat(v.done()).isEqualTo(2);
        assertThat(v.total()).isEqualTo(2);
        assertThat(v.hostRuns()).extracting(h -> h.host() + " " + h.state()).containsExactly(
                "bm01 succeeded", "bm03 failed, retried", "bm03 failed, retried", "bm03 succeeded (attempt 3)");
    }

    private static HostRunRecord run(String host, int at, StepResult result) {
        return new HostRunRecord(0, "deploy", host, false, T0.plusSeconds(at), T0.plusSeconds(at + 1), result);
    }
}
