package org.buildduty.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;

class OperationProgressTest {
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final Instant START = NOW.minus(Duration.ofMinutes(12));

    static List<String> hosts(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    static StepSpec fanOut(String name, List<String> hosts) {
        return new StepSpec(name, "fake", Map.of(), hosts, 10, null, null, OnHostFailure.CONTINUE, null);
    }

    static StepSpec single(String name) {
        return StepSpec.of(name, "fake", Map.of());
    }

    static Operation running(long id, String kind, String unit, StepSpec... steps) {
        OperationPlan plan = new OperationPlan(kind, Map.of(), List.of(steps), ApprovalPolicy.NONE, unit);
        Operation op = new Operation(new OperationId(id), plan, Identity.parse("chat:alice"),
                ChatAddress.of("chat", "#releng"), START.minusSeconds(30), OperationState.QUEUED);
        op.transition(OperationState.RUNNING, START);
        return op;
    }

    private static StepResult ok(String host) {
        return StepResult.succeeded(host, 0, "done");
    }

    private static StepResult failed(String host, int code) {
        return StepResult.failed(host, code, "exit " + code, "");
    }

    @Test
    void specExample() {
        Operation op = running(17, "reconfig", "masters", fanOut("reconfig", hosts("bm", 40)));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(0);
        for (int i = 0; i < 22; i++) {
            p.hostFinished(ok("bm" + i));
        }
        p.hostFinished(failed("bm73", 1));
        assertThat(p.statusLine(NOW)).isEqualTo("reconfig #17 [#######-----] 23/40 masters · 1 failed (bm73: exit 1) "
                + "· 12m");
    }

    @Test
    void beforeAnythingRuns() {
        Operation op = running(17, "reconfig", "masters", fanOut("reconfig", hosts("bm", 40)));
        assertThat(new OperationProgress(op).statusLine(NOW))
                .isEqualTo("reconfig #17 [------------] 0/40 masters · 12m");
    }

    @Test
    void elapsedCountsFromCreationWhenNotStarted() {
        OperationPlan plan = new OperationPlan("demo", Map.of(), List.of(single("one")), ApprovalPolicy.NONE, null);
        Operation op = new Operation(new OperationId(3), plan, Identity.parse("chat:alice"),
                ChatAddress.of("chat", "#r"), NOW.minusSeconds(45), OperationState.QUEUED);
        assertThat(new OperationProgress(op).statusLine(NOW)).isEqualTo("demo #3 [------------] 0/1 steps · 45s");
    }

    @Test
    void severalFailuresShowTheFirstAndAnEllipsis() {
        Operation op = running(17, "reconfig", "masters", fanOut("reconfig", hosts("bm", 40)));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(0);
        p.hostFinished(failed("bm73", 1));
        p.hostFinished(ok("bm01"));
        p.hostFinished(new StepResult(StepOutcome.TIMED_OUT, "bm74", null, "after 30m", ""));
        p.hostFinished(new StepResult(StepOutcome.SKIPPED, "bm75", null, "", ""));
        assertThat(p.statusLine(NOW))
                .isEqualTo("reconfig #17 [#-----------] 4/40 masters · 2 failed (bm73: exit 1, …) · 12m");
    }

    @Test
    void barIsNeverFullBeforeEveryRunIsDone() {
        for (int total = 1; total <= 120; total++) {
            for (int done = 0; done < total; done++) {
                assertThat(OperationProgress.bar(done, total)).as("%d/%d", done, total).contains("-");
            }
            assertThat(OperationProgress.bar(total, total)).isEqualTo("[############]");
        }
        assertThat(OperationProgress.bar(39, 40)).isEqualTo("[###########-]");
        assertThat(OperationProgress.bar(0, 40)).isEqualTo("[------------]");
        assertThat(OperationProgress.bar(0, 0)).isEqualTo("[------------]");
        assertThat(OperationProgress.bar(20, 40)).isEqualTo("[######------]");
    }

    @Test
    void almostDoneFanOutShowsAnUnfilledCell() {
        Operation op = running(17, "reconfig", "masters", fanOut("reconfig", hosts("bm", 40)));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(0);
        for (int i = 0; i < 39; i++) {
            p.hostFinished(ok("bm" + i));
        }
        assertThat(p.statusLine(NOW)).isEqualTo("reconfig #17 [###########-] 39/40 masters · 12m");
    }

    @Test
    void multiStepFanOutNamesTheCurrentStep() {
        Operation op = running(5, "deploy", "hosts", single("prepare"), fanOut("apply", hosts("web", 3)),
                single("verify"));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(0);
        assertThat(p.statusLine(NOW)).isEqualTo("deploy #5 [------------] 0/3 steps · 12m");
        p.hostFinished(ok(null));
        assertThat(p.statusLine(NOW)).isEqualTo("deploy #5 [####--------] 1/3 steps · 12m");
        p.stepStarted(1);
        assertThat(p.statusLine(NOW)).isEqualTo("deploy #5 [------------] 0/3 hosts · step 2/3 apply · 12m");
        p.hostFinished(ok("web1"));
        assertThat(p.statusLine(NOW)).isEqualTo("deploy #5 [####--------] 1/3 hosts · step 2/3 apply · 12m");
        p.hostFinished(failed("web2", 2));
        assertThat(p.statusLine(NOW))
                .isEqualTo("deploy #5 [########----] 2/3 hosts · step 2/3 apply · 1 failed (web2: exit 2) · 12m");
    }

    @Test
    void stepsWithoutHostsCountSteps() {
        Operation op = running(9, "release", null, single("tag"), single("build"), single("publish"));
        OperationProgress p = new OperationProgress(op);
        assertThat(p.statusLine(NOW)).isEqualTo("release #9 [------------] 0/3 steps · 12m");
        p.stepStarted(0);
        p.hostFinished(ok(null));
        assertThat(p.statusLine(NOW)).isEqualTo("release #9 [####--------] 1/3 steps · 12m");
        p.stepStarted(1);
        assertThat(p.statusLine(NOW)).isEqualTo("release #9 [####--------] 1/3 steps · 12m");
        p.hostFinished(ok(null));
        assertThat(p.statusLine(NOW)).isEqualTo("release #9 [########----] 2/3 steps · 12m");
        p.stepStarted(2);
        p.hostFinished(failed(null, 3));
        assertThat(p.statusLine(NOW)).isEqualTo("release #9 [############] 3/3 steps · 1 failed (exit 3) · 12m");
    }

    @Test
    void aStepCutOffByACancelIsNotCountedAsDone() {
        Operation op = running(9, "release", null, single("tag"), single("build"), single("publish"));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(0);
        p.hostFinished(new StepResult(StepOutcome.CANCELLED, null, null, "cancelled", "tagging"));
        p.ended("cancelled");
        assertThat(p.statusLine(NOW)).isEqualTo("release #9 [------------] 0/3 steps · cancelled · 12m");

        Operation fan = running(10, "reconfig", "masters", fanOut("reconfig", hosts("bm", 3)));
        OperationProgress f = new OperationProgress(fan);
        f.stepStarted(0);
        f.hostFinished(ok("bm1"));
        f.hostFinished(new StepResult(StepOutcome.CANCELLED, "bm2", null, "cancelled", ""));
        f.hostFinished(new StepResult(StepOutcome.CANCELLED, "bm3", null, "cancelled", ""));
        f.ended("cancelled");
        assertThat(f.statusLine(NOW)).isEqualTo("reconfig #10 [####--------] 1/3 masters · cancelled · 12m");
    }

    @Test
    void rollingBackIsMarkedAndRollbackRunsAreNotCounted() {
        Operation op = running(17, "reconfig", "masters", fanOut("reconfig", hosts("bm", 4)));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(0);
        p.hostFinished(ok("bm1"));
        p.hostFinished(failed("bm2", 1));
        p.rollingBack();
        p.hostFinished(ok("bm1"));
        p.hostFinished(failed("bm1", 9));
        assertThat(p.statusLine(NOW))
                .isEqualTo("reconfig #17 [######------] 2/4 masters · 1 failed (bm2: exit 1) · rolling back · 12m");
    }

    @Test
    void endingReplacesTheRollingBackMarkerAndFreezesTheElapsedTime() {
        Operation op = running(17, "reconfig", "masters", fanOut("reconfig", hosts("bm", 4)));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(0);
        p.hostFinished(failed("bm2", 1));
        p.rollingBack();
        op.transition(OperationState.FAILED, NOW);
        p.ended("failed");
        String line = p.statusLine(NOW);
        assertThat(line).isEqualTo("reconfig #17 [###---------] 1/4 masters · 1 failed (bm2: exit 1) · failed · 12m");
        assertThat(p.statusLine(NOW.plus(Duration.ofHours(3)))).isEqualTo(line);
    }

    @Test
    void successFillsTheBarAndEndsWithSucceeded() {
        Operation op = running(17, "reconfig", "masters", fanOut("reconfig", hosts("bm", 40)));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(0);
        for (int i = 0; i < 40; i++) {
            p.hostFinished(ok("bm" + i));
        }
        op.transition(OperationState.SUCCEEDED, NOW);
        p.ended("succeeded");
        assertThat(p.statusLine(NOW)).isEqualTo("reconfig #17 [############] 40/40 masters · succeeded · 12m");
    }

    @Test
    void multiStepSuccessEndsWithOneCleanStatusLine() {
        Operation op = running(5, "deploy", "hosts", single("prepare"), fanOut("apply", hosts("web", 2)));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(0);
        p.hostFinished(ok(null));
        p.stepStarted(1);
        p.hostFinished(ok("web1"));
        p.hostFinished(ok("web2"));
        p.ended("succeeded");
        assertThat(p.statusLine(NOW)).isEqualTo("deploy #5 [############] 2/2 hosts · succeeded · 12m");
    }

    @Test
    void multiStepFailureStillNamesTheStepItStoppedIn() {
        Operation op = running(5, "deploy", "hosts", single("prepare"), fanOut("apply", hosts("web", 2)));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(1);
        p.hostFinished(failed("web1", 1));
        p.ended("failed");
        assertThat(p.statusLine(NOW))
                .isEqualTo("deploy #5 [######------] 1/2 hosts · step 2/2 apply · 1 failed (web1: exit 1) · failed "
                        + "· 12m");
    }

    @Test
    void cancelledEnding() {
        Operation op = running(8, "release", null, single("tag"), single("build"));
        OperationProgress p = new OperationProgress(op);
        p.stepStarted(0);
        p.ended("cancelled");
        assertThat(p.statusLine(NOW)).isEqualTo("release #8 [------------] 0/2 steps · cancelled · 12m");
    }
}
