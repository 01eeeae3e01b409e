package org.buildduty.commands.buildbot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.testing.BuildbotMaster;
import org.buildduty.commands.testing.GitForge;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.RecordingExecContext;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;

/** The client and the executor against a real Debian Buildbot 3.7 master ({@link BuildbotMaster}). */
class BuildbotLiveTest {
    @TempDir
    static Path dir;

    private static BuildbotMaster master;
    private static BuildbotClient client;

    @BeforeAll
    static void start() throws IOException {
        master = BuildbotMaster.start(dir.resolve("bb"));
        client = BuildbotClient.of(master.url(), master.user(), master::password);
    }

    @AfterAll
    static void stop() {
        if (master != null) {
            master.close();
        }
    }

    @Test
    void listsTheBuildersAndTheConnectedWorker() {
        assertThat(client.builders()).extracting(Builder::name)
                .containsExactlyInAnyOrderElementsOf(BuildbotMaster.BUILDERS);
        assertThat(client.builder("slow")).isPresent();
        assertThat(client.builder("nope")).isEmpty();
        assertThat(client.workers()).containsValue(BuildbotMaster.WORKER);
    }

    @Test
    void aMasterRestartIsOneLineWhileItIsDownThenTheClientLogsInAgain() throws Exception {
        ForceResult before = client.force("force", "quick", "main", null, "before the restart");
        assertThat(awaitComplete(before.onlyRequest()).results()).isEqualTo(Results.SUCCESS.code());
        master.stopMaster();
        try {
            assertThatThrownBy(() -> client.builders()).isInstanceOf(BuildbotException.class)
                    .hasMessageContaining("not reachable").hasMessageNotContaining("\n");
        } finally {
            master.startMaster();
        }
        ForceResult after = client.force("force", "quick", "main", null, "after the restart");
        assertThat(awaitComplete(after.onlyRequest()).results()).isEqualTo(Results.SUCCESS.code());
        assertThat(after.onlyRequest()).isGreaterThan(before.onlyRequest());
    }

    @Test
    void forcesQuickAfterLoggingInAndTheBuildSucceeds() throws InterruptedException {
        ForceResult f = client.force("force", "quick", "main", null, "live test");
        int quick = client.builder("quick").orElseThrow().id();
        assertThat(f.requestsByBuilderId()).containsOnlyKeys(quick);

        BuildRequest done = awaitComplete(f.onlyRequest());
        assertThat(done.results()).isEqualTo(Results.SUCCESS.code());
        List<Build> builds = client.buildsOfRequest(f.onlyRequest());
        assertThat(builds).hasSize(1);
        assertThat(builds.get(0).results()).isEqualTo(0);
        assertThat(builds.get(0).url(master.url())).startsWith(master.url() + "#/builders/" + quick + "/builds/");
    }

    @Test
    void forcedFailingBuildFails() throws InterruptedException {
        ForceResult f = client.force("force", "failing", null, null, null);
        assertThat(awaitComplete(f.onlyRequest()).results()).isEqualTo(Results.FAILURE.code());
    }

    @Test
    void unknownBuilderIsOneLineNamingTheBuilders() {
        assertThatThrownBy(() -> client.force("force", "nope", null, null, "x"))
                .isInstanceOf(BuildbotException.class)
                .hasMessage("no builder \"nope\" on Buildbot (builders: echo-rev, failing, quick, slow)");
    }

    @Test
    void anonymousForceIsRefusedAndAWrongPasswordIsNotLoggedIn() {
        BuildbotClient anonymous = new BuildbotClient(new okhttp3.OkHttpClient(), null, master.url());
        assertThat(anonymous.builders()).isNotEmpty();
        assertThatThrownBy(() -> anonymous.force("force", "quick", null, null, null))
                .hasMessage("Buildbot refused: you need to have role 'admins'");

        BuildbotClient wrong = BuildbotClient.of(master.url(), "bot", () -> "wrong-password");
        assertThatThrownBy(() -> wrong.force("force", "quick", null, null, null))
                .isInstanceOf(BuildbotException.class)
                .hasMessageStartingWith("Buildbot refused the login as bot: 40")
                .hasMessageNotContaining("wrong-password");
    }

    @Test
    void runningBuildsSeeSlowUntilItsRequestIsCancelled() throws InterruptedException {
        ForceResult f = client.force("force", "slow", null, null, "long one");
        long brid = f.onlyRequest();
        int slow = client.builder("slow").orElseThrow().id();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (client.runningBuilds().stream().noneMatch(b -> b.requestId() == brid)) {
            assertThat(System.nanoTime()).as("slow never ran").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(client.runningBuilds()).filteredOn(b -> b.requestId() == brid).singleElement()
                .satisfies(b -> {
                    assertThat(b.builderId()).isEqualTo(slow);
                    assertThat(b.complete()).isFalse();
                    assertThat(b.results()).isNull();
                });

        client.cancelRequest(brid, "test over");
        assertThat(awaitComplete(brid).results()).isEqualTo(Results.CANCELLED.code());
        assertThat(client.runningBuilds()).noneMatch(b -> b.requestId() == brid);
    }

    @Test
    void executorForcesEchoRevWithAPullRequestRefAndReadsItsPropertiesBack() throws IOException {
        GitForge forge = GitForge.create(dir.resolve("forge"));
        String sha = forge.commitToPull(12, "README", "pull 12\n");
        assertThat(forge.lsRemote()).contains(sha + "\trefs/pull/12/head");

        RecordingExecContext context = new RecordingExecContext();
        StepResult r = executor().execute(request(Map.of("action", "force", "builder", "echo-rev",
                "branch", "refs/pull/12/head", "revision", "{{sha}}", "reason", "pr 12", "interval", "1s"),
                Map.of("sha", sha)), context);

        assertThat(r.outcome()).as(r.summary() + " " + context.lines()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(context.lines(OutputChannel.INFO).get(0)).matches("forced echo-rev on force: build request [0-9]+");
        List<String> lines = context.lines(OutputChannel.NOTICE);
        assertThat(lines).anyMatch(l -> l.matches("build echo-rev#[0-9]+ started on w1: http://127\\.0\\.0\\.1:[0-9]+/"
                + "#/builders/[0-9]+/builds/[0-9]+"));
        assertThat(lines.get(lines.size() - 1)).matches("build echo-rev#[0-9]+ SUCCESS in [0-9]+s: .*");
        assertThat(r.kept()).containsEntry("result", "success").containsKeys("buildrequest", "build_url");

        long brid = Long.parseLong(r.kept().get("buildrequest"));
        Build build = client.buildsOfRequest(brid).get(0);
        Map<String, String> properties = client.buildProperties(build.id());
        assertThat(properties).containsEntry("branch", "refs/pull/12/head").containsEntry("revision", sha)
                .containsEntry("reason", "pr 12").containsEntry("owner", "bot");
    }

    @Test
    void executorFailsForAFailingBuildAndCancelsARunningOne() throws Exception {
        RecordingExecContext failing = new RecordingExecContext();
        StepResult f = executor().execute(request(Map.of("builder", "failing", "interval", "1s"), Map.of()),
                failing);
        assertThat(f.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(f.reason()).matches("FAILURE after [0-9]+s \\(http://127\\.0\\.0\\.1:[0-9]+/#/builders/[0-9]+/"
                + "builds/[0-9]+\\)");
        assertThat(f.kept()).containsEntry("result", "failure");

        RecordingExecContext slow = new RecordingExecContext();
        CompletableFuture<StepResult> running = CompletableFuture.supplyAsync(() -> executor().execute(
                request(Map.of("builder", "slow", "interval", "1s"), Map.of()), slow));
        slow.awaitLines(2, Duration.ofSeconds(20));
        slow.cancel();
        StepResult c = running.get();
        assertThat(c.outcome()).isEqualTo(StepOutcome.CANCELLED);
        long brid = Long.parseLong(c.kept().get("buildrequest"));
        assertThat(c.reason()).isEqualTo("cancelled; build request " + brid + " cancelled");
        assertThat(awaitComplete(brid).results()).isEqualTo(Results.CANCELLED.code());
    }

    private static BuildbotExecutor executor() {
        return new BuildbotExecutor(client, Ticker.system(), Sleeper.system());
    }

    private static ExecRequest request(Map<String, Object> args, Map<String, String> vars) {
        Duration timeout = Duration.ofSeconds(60);
        StepSpec step = new StepSpec("build", "buildbot", args, List.of(), 1, timeout, null, OnHostFailure.STOP,
                null);
        return new ExecRequest(new OperationId(3), step, null, timeout, vars);
    }

    private static BuildRequest awaitComplete(long brid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            BuildRequest r = client.buildRequest(brid);
            if (r.complete()) {
                return r;
            }
            assertThat(System.nanoTime()).as("request " + brid + " never completed").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
