package org.buildduty.commands.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.commands.testing.FakeJenkins;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.RecordingExecContext;
import org.buildduty.core.time.Sleeper;

/** The {@code jenkins} step kind against the contract fake, with a fake ticker and a sleeper that never sleeps. */
class JenkinsExecutorTest {
    private static final String TOKEN = "11e1f0ab7c2d4e5f60718293a4b5c6d7e8";
    private static final String TRIGGER = "kernel-build-trigger";
    private final FakeTicker ticker = new FakeTicker();
    private final List<Duration> sleeps = new ArrayList<>();
    private volatile IntConsumer afterSleep = n -> { };
    private FakeJenkins jenkins;
    private JenkinsExecutor executor;

    @BeforeEach
    void start() throws IOException {
        jenkins = FakeJenkins.start("buildduty", TOKEN);
        jenkins.addJob(TRIGGER, "BUILD_CONFIG", "PUBLISH").nextBuild(312);
        jenkins.addJob("kernel-tree-monitor", "KCI_API_URL");
        jenkins.addJob("kernel-build").nextBuild(1201);
        Sleeper sleeper = (Duration d, CountDownLatch wake) -> {
            if (wake.getCount() == 0) {
                return false;
            }
            sleeps.add(d);
            ticker.advance(d);
            afterSleep.accept(sleeps.size());
            return wake.getCount() > 0;
        };
        executor = new JenkinsExecutor(JenkinsClient.withToken(jenkins.url(), "buildduty", () -> TOKEN), ticker,
                sleeper);
    }

    @AfterEach
    void stop() {
        jenkins.close();
    }

    @Test
    void buildsWithParametersFollowsTheQueueItemAndReportsStartAndResult() {
        jenkins.job(TRIGGER).autoStart(2).autoFinish(2, "SUCCESS");
        RecordingExecContext context = new RecordingExecContext();

        StepResult r = executor.execute(request(Map.of("job", TRIGGER, "params", Map.of("BUILD_CONFIG",
                "{{tree}}"), "interval", "1s"), Duration.ofHours(2), Map.of("tree", "mainline")), context);

        String url = jenkins.url() + "job/kernel-build-trigger/312/";
        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(context.lines(OutputChannel.NOTICE)).containsExactly(
                "jenkins kernel-build-trigger #312 started: " + url,
                "jenkins kernel-build-trigger #312 SUCCESS in 12m 21s: " + url);
        assertThat(r.kept()).containsEntry("build_number", "312").containsEntry("build_url", url)
                .containsEntry("result", "SUCCESS");
        assertThat(jenkins.item(1842).params()).containsEntry("BUILD_CONFIG", "mainline");
    }

    @Test
    void anUnstableBuildFailsTheStepAndKeepsItsResult() {
        jenkins.job(TRIGGER).autoStart(1).autoFinish(1, "UNSTABLE");
        RecordingExecContext context = new RecordingExecContext();

        StepResult r = executor.execute(request(Map.of("job", TRIGGER, "params", Map.of()), Duration.ofHours(1)),
                context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("UNSTABLE after 12m 21s (" + jenkins.url() + "job/kernel-build-trigger/312/)");
        assertThat(r.kept()).containsEntry("result", "UNSTABLE");
        assertThat(r.summary()).isEqualTo("failed - " + r.reason());
    }

    @Test
    void aTimeoutCancelsTheQueuedItem() {
        RecordingExecContext context = new RecordingExecContext();

        StepResult r = executor.execute(request(Map.of("job", TRIGGER, "params", Map.of()), Duration.ofSeconds(12)),
                context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.TIMED_OUT);
        assertThat(r.reason()).isEqualTo("still queued after 12s (queue item 1842); queue item 1842 cancelled");
        assertThat(jenkins.item(1842).state()).isEqualTo(FakeJenkins.State.CANCELLED);
        assertThat(jenkins.posts()).containsExactly("POST /job/kernel-build-trigger/buildWithParameters",
                "POST /queue/cancelItem");
    }

    @Test
    void aCancelStopsTheRunningBuild() {
        jenkins.job(TRIGGER).autoStart(1);
        RecordingExecContext context = new RecordingExecContext();
        afterSleep = n -> {
            if (n == 3) {
                context.cancel();
            }
        };

        StepResult r = executor.execute(request(Map.of("job", TRIGGER, "params", Map.of()), Duration.ofHours(1)),
                context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
        assertThat(r.reason()).isEqualTo("cancelled; kernel-build-trigger #312 stopped");
        assertThat(jenkins.job(TRIGGER).result(312)).isEqualTo("ABORTED");
        assertThat(jenkins.posts()).endsWith("POST /job/kernel-build-trigger/312/stop");
    }

    @Test
    void aCancelWhileQueuedCancelsTheQueueItem() {
        RecordingExecContext context = new RecordingExecContext();
        afterSleep = n -> context.cancel();

        StepResult r = executor.execute(request(Map.of("job", TRIGGER, "params", Map.of()), Duration.ofHours(1)),
                context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
        assertThat(r.reason()).isEqualTo("cancelled; queue item 1842 cancelled");
        assertThat(jenkins.item(1842).state()).isEqualTo(FakeJenkins.State.CANCELLED);
    }

    @Test
    void aCancelJustAsTheItemStartsStopsTheBuildItBecame() {
        RecordingExecContext context = new RecordingExecContext();
        afterSleep = n -> {
            jenkins.startBuild(1842);
            context.cancel();
        };

        StepResult r = executor.execute(request(Map.of("job", TRIGGER, "params", Map.of()), Duration.ofHours(1)),
                context);

        assertThat(r.reason()).isEqualTo("cancelled; kernel-build-trigger #312 had started: stopped");
        assertThat(jenkins.job(TRIGGER).result(312)).isEqualTo("ABORTED");
        assertThat(jenkins.posts()).endsWith("POST /queue/cancelItem", "POST /job/kernel-build-trigger/312/stop");
    }

    @Test
    void aQueuedItemCancelledInJenkinsFailsTheStep() {
        RecordingExecContext context = new RecordingExecContext();
        afterSleep = n -> {
            if (n == 1) {
                JenkinsClient.withToken(jenkins.url(), "buildduty", () -> TOKEN).disable(TRIGGER);
            }
        };

        StepResult r = executor.execute(request(Map.of("job", TRIGGER, "params", Map.of()), Duration.ofHours(1)),
                context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("jenkins kernel-build-trigger: queue item 1842 was cancelled before it "
                + "started");
    }

    @Test
    void errorsAreOneLineAndAnUnknownJobNamesTheCloseOnes() {
        jenkins.job("kernel-tree-monitor").disabled(true);

        assertThat(run(Map.of("job", "kernel-tree-monitr", "params", Map.of())).reason())
                .isEqualTo("no Jenkins job \"kernel-tree-monitr\" - did you mean \"kernel-tree-monitor\"?");
        assertThat(run(Map.of("job", "kernel-tree-monitor", "params", Map.of())).reason())
                .isEqualTo("Jenkins job kernel-tree-monitor is disabled: enable it first (409 not buildable)");
        assertThat(run(Map.of("job", TRIGGER)).reason()).startsWith("Jenkins job kernel-build-trigger is "
                + "parameterized: give its parameters");
        jenkins.deny("hudson.model.Item.Configure");
        assertThat(run(Map.of("action", "enable", "job", "kernel-tree-monitor")).reason())
                .isEqualTo("Jenkins: buildduty may not enable kernel-tree-monitor: missing the Job/Configure "
                        + "permission (403)");
    }

    @Test
    void aJobNameFromAPlaceholderMayNotLeaveTheJobPath() {
        StepResult r = executor.execute(request(Map.of("action", "disable", "job", "{{job}}"), Duration.ofMinutes(1),
                Map.of("job", "../../script")), new RecordingExecContext());

        assertThat(r.reason()).isEqualTo("job: \"../../script\" is not a job name (name, or folder/name)");
        assertThat(jenkins.requests()).isEmpty();
    }

    @Test
    void wrongCredentialsAndARefusedConnectionAreOneLineWithoutTheToken() throws IOException {
        JenkinsExecutor wrong = new JenkinsExecutor(JenkinsClient.withToken(jenkins.url(), "buildduty",
                () -> "not-the-token"), ticker, (d, w) -> true);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        JenkinsExecutor down = new JenkinsExecutor(JenkinsClient.withToken(URI.create("http://127.0.0.1:"
                + port + "/"), "buildduty", () -> TOKEN), ticker, (d, w) -> true);

        StepResult refused = wrong.execute(request(Map.of("action", "disable", "job", "kernel-tree-monitor"),
                Duration.ofMinutes(1)), new RecordingExecContext());
        StepResult unreachable = down.execute(request(Map.of("job", TRIGGER, "params", Map.of()),
                Duration.ofMinutes(1)), new RecordingExecContext());

        assertThat(refused.reason()).isEqualTo("Jenkins refused the credentials of buildduty (401): check "
                + "services.jenkins user and token");
        assertThat(unreachable.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(unreachable.reason()).isEqualTo("Jenkins at http://127.0.0.1:" + port + "/ is not reachable: "
                + "connection refused");
        assertThat(refused.summary() + unreachable.summary()).doesNotContain(TOKEN).doesNotContain("not-the-token");
    }

    @Test
    void disableAndEnableTheJob() {
        RecordingExecContext context = new RecordingExecContext();

        StepResult off = executor.execute(request(Map.of("action", "disable", "job", "kernel-tree-monitor"),
                Duration.ofMinutes(1)), context);
        assertThat(jenkins.job("kernel-tree-monitor").disabled()).isTrue();
        StepResult on = executor.execute(request(Map.of("action", "enable", "job", "kernel-tree-monitor"),
                Duration.ofMinutes(1)), context);

        assertThat(off.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(on.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(jenkins.job("kernel-tree-monitor").disabled()).isFalse();
        assertThat(context.lines(OutputChannel.NOTICE)).containsExactly("jenkins kernel-tree-monitor disabled",
                "jenkins kernel-tree-monitor enabled");
    }

    @Test
    void idleWaitsForTheQueueAndTheRunningBuildsAndSaysWhatItWaitsForWhenThatChanges() {
        jenkins.job("kernel-build").autoFinish(4, "SUCCESS");
        long queued = jenkins.enqueue("kernel-tree-monitor", "Waiting for next available executor");
        jenkins.running("kernel-build");
        afterSleep = n -> {
            if (n == 1) {
                jenkins.forget(queued);
            }
        };
        RecordingExecContext context = new RecordingExecContext();

        StepResult r = executor.execute(request(Map.of("action", "idle", "interval", "10s"), Duration.ofHours(1)),
                context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(context.lines(OutputChannel.NOTICE)).containsExactly(
                "waiting for Jenkins to be idle: kernel-tree-monitor queued (Waiting for next available executor), "
                        + "kernel-build #1201 running",
                "waiting for Jenkins to be idle: kernel-build #1201 running",
                "jenkins: Jenkins idle after 30s");
    }

    @Test
    void idleForNamedJobsIgnoresOthersAndTimesOutSayingWhatStillRuns() {
        jenkins.running("kernel-build");
        RecordingExecContext context = new RecordingExecContext();

        StepResult other = executor.execute(request(Map.of("action", "idle", "jobs", List.of("kernel-tree-monitor")),
                Duration.ofMinutes(1)), context);
        StepResult busy = executor.execute(request(Map.of("action", "idle", "jobs", List.of("kernel-build")),
                Duration.ofSeconds(20)), context);

        assertThat(other.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(busy.outcome()).isEqualTo(StepOutcome.TIMED_OUT);
        assertThat(busy.reason()).isEqualTo("still busy after 20s: kernel-build #1201 running");
    }

    @Test
    void aRateLimitedJenkinsIsToldOnceAndPolledNoSoonerThanItsRetryAfter() {
        jenkins.throttleNext(2, 40);
        RecordingExecContext context = new RecordingExecContext();

        StepResult r = executor.execute(request(Map.of("action", "idle", "interval", "5s"), Duration.ofHours(1)),
                context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(40), Duration.ofSeconds(40));
        assertThat(context.lines(OutputChannel.NOTICE)).containsExactly(
                "Jenkins at " + jenkins.url() + " asks to slow down (429); still waiting",
                "Jenkins answers again", "jenkins: Jenkins idle after 1m 20s");
    }

    @Test
    void idleIsCutShortByACancel() {
        jenkins.running("kernel-build");
        RecordingExecContext context = new RecordingExecContext();
        afterSleep = n -> context.cancel();

        StepResult r = executor.execute(request(Map.of("action", "idle"), Duration.ofHours(1)), context);

        assertThat(r.outcome()).isEqualTo(StepOutcome.CANCELLED);
        assertThat(r.reason()).isEqualTo("cancelled while waiting for Jenkins to be idle");
    }

    @Test
    void argumentsAreCheckedAtLoad() {
        assertThat(executor.validateArgs(Map.of("action", "bild", "job", "x")))
                .containsEntry("action", "unknown action \"bild\" - did you mean \"build\"? (known: build, disable, "
                        + "enable, idle)");
        assertThat(executor.validateArgs(Map.of("action", "build"))).containsKey("job");
        assertThat(executor.validateArgs(Map.of("job", "a//b"))).containsEntry("job",
                "not a job name (name, or folder/name)");
        assertThat(executor.validateArgs(Map.of("job", "../script"))).containsKey("job");
        assertThat(executor.validateArgs(Map.of("job", "a/.."))).containsKey("job");
        assertThat(executor.validateArgs(Map.of("job", "kernelci/kernel.build-..x"))).isEmpty();
        assertThat(executor.validateArgs(Map.of("job", "a", "params", List.of("x"))))
                .containsEntry("params", "must be a map of strings (NAME: value)");
        assertThat(executor.validateArgs(Map.of("job", "a", "params", Map.of("A", List.of()))))
                .containsEntry("params", "must be a map of strings: A is not a string");
        assertThat(executor.validateArgs(Map.of("action", "disable", "job", "a", "params", Map.of())))
                .containsEntry("params", "only for action build");
        assertThat(executor.validateArgs(Map.of("action", "idle", "jobs", "a"))).containsKey("jobs");
        assertThat(executor.validateArgs(Map.of("job", "kernelci/{{job}}", "params", Map.of("T", "{{tree}}"))))
                .isEmpty();
        assertThat(executor.keptNames(Map.of("job", "a"))).containsExactlyInAnyOrder("build_number", "build_url",
                "result");
    }

    @Test
    void withoutServicesJenkinsTheStepLoadsAndFailsAtRunInOneLine() {
        JenkinsExecutor none = JenkinsExecutor.unconfigured();

        assertThat(none.validateArgs(Map.of("action", "disable", "job", "kernel-tree-monitor"))).isEmpty();
        StepResult r = none.execute(request(Map.of("action", "disable", "job", "kernel-tree-monitor"),
                Duration.ofMinutes(1)), new RecordingExecContext());

        assertThat(r.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(r.reason()).isEqualTo("jenkins steps need services.jenkins (url, user, token_env) in the "
                + "configuration");
    }

    private StepResult run(Map<String, Object> args) {
        return executor.execute(request(args, Duration.ofMinutes(5)), new RecordingExecContext());
    }

    private static ExecRequest request(Map<String, Object> args, Duration timeout) {
        return request(args, timeout, Map.of());
    }

    private static ExecRequest request(Map<String, Object> args, Duration timeout, Map<String, String> vars) {
        StepSpec step = new StepSpec("jenkins", "jenkins", new LinkedHashMap<>(args), List.of(), 1, timeout, null,
                OnHostFailure.STOP, null);
        return new ExecRequest(new OperationId(3), step, null, timeout, vars);
    }
}
