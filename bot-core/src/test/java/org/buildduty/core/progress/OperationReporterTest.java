package org.buildduty.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.testing.FakeTicker;

class OperationReporterTest {
    private static final ChatAddress ROOM = ChatAddress.of("chat", "#releng");
    private static final Function<OperationId, String> NO_LINKS = id -> "";

    private final FakeTicker ticker = new FakeTicker();

    private static StepSpec step(String name, List<String> hosts, StepSpec rollback) {
        return new StepSpec(name, "fake", Map.of(), hosts, 5, null, null, OnHostFailure.CONTINUE, rollback);
    }

    private Operation running(StepSpec... steps) {
        OperationPlan plan = new OperationPlan("demo", Map.of(), List.of(steps), ApprovalPolicy.NONE, "hosts");
        Operation op = new Operation(new OperationId(17), plan, Identity.parse("chat:alice"), ROOM, ticker.now(),
                OperationState.QUEUED);
        op.transition(OperationState.RUNNING, ticker.now());
        return op;
    }

    private RoomPublisher publisher(FakeConnector c) {
        return new RoomPublisher(c, ROOM, ticker, Redactor.NONE, Duration.ofSeconds(60));
    }

    private FakeConnector terminal() {
        return new FakeConnector("chat", Capabilities.terminal(), ticker);
    }

    private void flush(RoomPublisher p) {
        for (int i = 0; i < 120 && p.backlog() > 0; i++) {
            ticker.advance(Duration.ofSeconds(1));
            p.drain();
        }
        assertThat(p.backlog()).isZero();
    }

    private static void finish(OperationReporter r, Operation op, OperationState end, String summary) {
        op.transition(end, op.startedAt());
        r.operationFinished(op, end, summary);
    }

    @Test
    void terminalShowsEveryOutputLineAndEndsWithOneStatusLine() {
        FakeConnector chat = terminal();
        RoomPublisher pub = publisher(chat);
        OperationReporter r = new OperationReporter(pub, ticker, NO_LINKS);
        StepSpec apply = step("apply", List.of("bm01", "bm02"), null);
        Operation op = running(apply);

        r.operationStarted(op);
        r.stepStarted(op, 0, apply);
        r.hostStarted(op, 0, apply, "bm01");
        r.output(op, 0, apply, "bm01", OutputChannel.STDOUT, "hello");
        r.output(op, 0, apply, "bm02", OutputChannel.STDERR, "warning: x");
        r.output(op, 0, apply, null, OutputChannel.STDOUT, "no host");
        r.hostFinished(op, 0, apply, StepResult.succeeded("bm01", 0, "hello"));
        r.hostFinished(op, 0, apply, StepResult.succeeded("bm02", 0, "warning: x"));
        r.stepFinished(op, 0, apply, StepOutcome.SUCCEEDED, List.of());
        finish(r, op, OperationState.SUCCEEDED, "demo #17 succeeded in 0s");

        assertThat(chat.texts()).containsExactly(
                "#17 step 1/1: apply on 2 hosts",
                "demo #17 [------------] 0/2 hosts · 0s",
                "#17 bm01| hello",
                "#17 bm02| warning: x",
                "#17| no host",
                "demo #17 [############] 2/2 hosts · succeeded · 0s");
        assertThat(chat.texts()).filteredOn(t -> t.contains("succeeded")).hasSize(1);
        assertThat(pub.backlog()).isZero();
    }

    @Test
    void successOfAMultiStepPlanEndsWithOneCleanStatusLine() {
        FakeConnector chat = terminal();
        OperationReporter r = new OperationReporter(publisher(chat), ticker, NO_LINKS);
        StepSpec prepare = step("prepare", List.of(), null);
        StepSpec apply = step("apply", List.of("bm01", "bm02"), null);
        Operation op = running(prepare, apply);
        r.stepStarted(op, 0, prepare);
        r.hostFinished(op, 0, prepare, StepResult.succeeded(null, 0, ""));
        r.stepStarted(op, 1, apply);
        r.hostFinished(op, 1, apply, StepResult.succeeded("bm01", 0, ""));
        r.hostFinished(op, 1, apply, StepResult.succeeded("bm02", 0, ""));
        finish(r, op, OperationState.SUCCEEDED, "demo #17 succeeded");
        assertThat(chat.texts()).startsWith("#17 step 1/2: prepare", "demo #17 [------------] 0/2 steps · 0s",
                "#17 step 2/2: apply on 2 hosts");
        assertThat(chat.texts()).last().isEqualTo("demo #17 [############] 2/2 hosts · succeeded · 0s");
        assertThat(chat.texts()).filteredOn(t -> t.contains("succeeded")).hasSize(1);
    }

    @Test
    void longOrMultiLineOutputIsCutToOneLine() {
        FakeConnector chat = terminal();
        OperationReporter r = new OperationReporter(publisher(chat), ticker, NO_LINKS);
        StepSpec apply = step("apply", List.of("bm01"), null);
        Operation op = running(apply);
        r.output(op, 0, apply, "bm01", OutputChannel.STDOUT, "x".repeat(400));
        r.output(op, 0, apply, "bm01", OutputChannel.STDOUT, "a\rb\nc");
        assertThat(chat.texts()).containsExactly("#17 bm01| " + "x".repeat(299) + "…", "#17 bm01| a b c");
    }

    @Test
    void ircGetsNoLiveOutputButTheTailsOfFailedHostsAtTheEnd() {
        FakeConnector irc = FakeConnector.ircLike("chat", ticker);
        RoomPublisher pub = publisher(irc);
        OperationReporter r = new OperationReporter(pub, ticker, NO_LINKS);
        List<String> hosts = List.of("bm01", "bm02", "bm03", "bm04", "bm05");
        StepSpec apply = step("apply", hosts, null);
        Operation op = running(apply);

        r.stepStarted(op, 0, apply);
        for (String h : hosts) {
            for (int i = 1; i <= 5; i++) {
                r.output(op, 0, apply, h, OutputChannel.STDOUT, h + " line " + i);
            }
            r.hostFinished(op, 0, apply, StepResult.failed(h, 1, "exit 1", h + " line 5"));
        }
        assertThat(irc.texts()).noneMatch(t -> t.contains("|"));
        finish(r, op, OperationState.FAILED, "demo #17 failed: apply: 5 hosts failed");
        flush(pub);

        assertThat(irc.texts()).containsExactly(
                "#17 step 1/1: apply on 5 hosts",
                "demo #17 [------------] 0/5 hosts · 0s",
                "#17 failed: bm01: exit 1 (bm01 line 5)",
                "#17 failed the same way on bm02, bm03, bm04, bm05",
                "demo #17 [############] 5/5 hosts · 5 failed (bm01: exit 1 (bm01 line 5), …) · failed · 0s",
                "demo #17 failed: apply: 5 hosts failed",
                "#17 bm01| bm01 line 3", "#17 bm01| bm01 line 4", "#17 bm01| bm01 line 5",
                "#17 bm02| bm02 line 3", "#17 bm02| bm02 line 4", "#17 bm02| bm02 line 5",
                "#17 bm03| bm03 line 3", "#17 bm03| bm03 line 4", "#17 bm03| bm03 line 5");
    }

    @Test
    void hostsThatFailTheSameWayAreFoldedIntoOneLineAtTheEndOfTheStep() {
        FakeConnector irc = FakeConnector.ircLike("chat", ticker);
        RoomPublisher pub = publisher(irc);
        OperationReporter r = new OperationReporter(pub, ticker, NO_LINKS);
        List<String> hosts = List.of("web1", "web2", "web3", "web4", "web5");
        StepSpec restart = step("restart", hosts, null);
        Operation op = running(restart);
        String keyProblem = "host key of %s (127.0.0.1:2222) is unknown: it is not in /etc/buildduty/known_hosts; "
                + "check its fingerprint, then add it with ssh-keyscan -p 2222 127.0.0.1 >> /etc/buildduty/known_hosts";

        r.stepStarted(op, 0, restart);
        for (String h : hosts.subList(0, 4)) {
            r.hostFinished(op, 0, restart, StepResult.failed(h, null, keyProblem.formatted(h), ""));
        }
        r.hostFinished(op, 0, restart, StepResult.failed("web5", 1, "exit 1", "restart: unit not found"));
        r.stepFinished(op, 0, restart, StepOutcome.FAILED, List.of());
        finish(r, op, OperationState.FAILED, "demo #17 failed: restart: 5 hosts failed");
        flush(pub);

        assertThat(irc.texts()).filteredOn(t -> t.startsWith("#17 failed")).containsExactly(
                "#17 failed: web1: failed - " + keyProblem.formatted("web1"),
                "#17 failed: web5: exit 1 (restart: unit not found)",
                "#17 failed the same way on web2, web3, web4");
    }

    @Test
    void succeededHostsOutputIsNotRepeatedAfterAFailure() {
        FakeConnector irc = FakeConnector.ircLike("chat", ticker);
        RoomPublisher pub = publisher(irc);
        OperationReporter r = new OperationReporter(pub, ticker, NO_LINKS);
        StepSpec apply = step("apply", List.of("bm01", "bm02"), null);
        Operation op = running(apply);
        r.stepStarted(op, 0, apply);
        r.output(op, 0, apply, "bm01", OutputChannel.STDOUT, "fine");
        r.hostFinished(op, 0, apply, StepResult.succeeded("bm01", 0, "fine"));
        r.output(op, 0, apply, "bm02", OutputChannel.STDERR, "disk full");
        r.hostFinished(op, 0, apply, StepResult.failed("bm02", 3, "exit 3", "disk full"));
        finish(r, op, OperationState.FAILED, "demo #17 failed: bm02: exit 3");
        flush(pub);
        assertThat(irc.texts()).contains("#17 bm02| disk full").doesNotContain("#17 bm01| fine");
        assertThat(irc.texts()).last().isEqualTo("#17 bm02| disk full");
    }

    @Test
    void noticesReachAChatWithoutLiveOutputPrefixedWithTheOperationId() {
        FakeConnector irc = FakeConnector.ircLike("chat", ticker);
        RoomPublisher pub = publisher(irc);
        OperationReporter r = new OperationReporter(pub, ticker, NO_LINKS);
        StepSpec build = step("build", List.of(), null);
        Operation op = running(build);
        r.stepStarted(op, 0, build);
        r.output(op, 0, build, null, OutputChannel.INFO, "forced quick on force: build request 7");
        r.output(op, 0, build, null, OutputChannel.NOTICE, "build quick#3 started on w1: http://bb/#/b/1/builds/3");
        r.output(op, 0, build, null, OutputChannel.STDOUT, "compiling");
        r.output(op, 0, build, null, OutputChannel.NOTICE, "build quick#3 SUCCESS in 1m 2s: http://bb/#/b/1/builds/3");
        r.hostFinished(op, 0, build, StepResult.succeeded(null, 0, "compiling"));
        finish(r, op, OperationState.SUCCEEDED, "");
        flush(pub);
        assertThat(irc.texts()).containsExactly(
                "demo #17 [------------] 0/1 steps · 0s",
                "#17 build quick#3 started on w1: http://bb/#/b/1/builds/3",
                "#17 build quick#3 SUCCESS in 1m 2s: http://bb/#/b/1/builds/3",
                "demo #17 [############] 1/1 steps · succeeded · 0s");
    }

    @Test
    void failureOfAStepWithoutHostsRepeatsItsTail() {
        FakeConnector irc = FakeConnector.ircLike("chat", ticker);
        RoomPublisher pub = publisher(irc);
        OperationReporter r = new OperationReporter(pub, ticker, NO_LINKS);
        StepSpec build = step("build", List.of(), null);
        Operation op = running(build);
        r.stepStarted(op, 0, build);
        for (String l : List.of("a", "b", "c", "d")) {
            r.output(op, 0, build, null, OutputChannel.STDOUT, l);
        }
        r.hostFinished(op, 0, build, StepResult.failed(null, 2, "exit 2", "d"));
        finish(r, op, OperationState.FAILED, "demo #17 failed: build: exit 2");
        flush(pub);
        assertThat(irc.texts()).containsExactly(
                "demo #17 [------------] 0/1 steps · 0s",
                "#17 failed: build: exit 2 (d)",
                "demo #17 [############] 1/1 steps · 1 failed (exit 2 (d)) · failed · 0s",
                "demo #17 failed: build: exit 2",
                "#17| b", "#17| c", "#17| d");
    }

    @Test
    void terminalFailureDoesNotRepeatTheOutput() {
        FakeConnector chat = terminal();
        OperationReporter r = new OperationReporter(publisher(chat), ticker, NO_LINKS);
        StepSpec apply = step("apply", List.of("bm01"), null);
        Operation op = running(apply);
        r.stepStarted(op, 0, apply);
        r.output(op, 0, apply, "bm01", OutputChannel.STDOUT, "boom");
        r.hostFinished(op, 0, apply, StepResult.failed("bm01", 1, "exit 1", "boom"));
        finish(r, op, OperationState.FAILED, "demo #17 failed: bm01: exit 1");
        assertThat(chat.texts()).filteredOn(t -> t.equals("#17 bm01| boom")).hasSize(1);
        assertThat(chat.texts()).endsWith("demo #17 [############] 1/1 hosts · 1 failed (bm01: exit 1 (boom)) "
                + "· failed · 0s", "demo #17 failed: bm01: exit 1");
    }

    @Test
    void commandsThatCouldNotBeStoppedAreNamedInOneLineFoldedByReason() {
        FakeConnector irc = FakeConnector.ircLike("chat", ticker);
        RoomPublisher pub = publisher(irc);
        OperationReporter r = new OperationReporter(pub, ticker, NO_LINKS);
        StepSpec apply = step("apply", List.of("web1", "web2", "web3", "db1"), null);
        Operation op = running(apply);
        r.stepStarted(op, 0, apply);
        r.hostFinished(op, 0, apply, new StepResult(StepOutcome.CANCELLED, "web1", null, "by alice", "")
                .withNotStopped("connection lost"));
        r.hostFinished(op, 0, apply, new StepResult(StepOutcome.CANCELLED, "web2", null, "by alice", ""));
        r.hostFinished(op, 0, apply, new StepResult(StepOutcome.CANCELLED, "web3", null, "by alice", "")
                .withNotStopped("connection lost"));
        r.hostFinished(op, 0, apply, new StepResult(StepOutcome.CANCELLED, "db1", null, "by alice", "")
                .withNotStopped("still running after SIGKILL"));
        finish(r, op, OperationState.CANCELLED, "demo #17 cancelled by alice at step \"apply\"");
        flush(pub);

        assertThat(irc.texts()).filteredOn(t -> t.contains("could not stop")).containsExactly(
                "#17 could not stop the command on web1, web3 (connection lost) and db1 (still running after "
                        + "SIGKILL): check those hosts");
        assertThat(irc.texts()).containsSubsequence("demo #17 cancelled by alice at step \"apply\"",
                "#17 could not stop the command on web1, web3 (connection lost) and db1 (still running after "
                        + "SIGKILL): check those hosts");
    }

    @Test
    void manyHostsThatCouldNotBeStoppedAreNamedInOrderUpToEightThenCounted() {
        FakeConnector irc = FakeConnector.ircLike("chat", ticker);
        RoomPublisher pub = publisher(irc);
        OperationReporter r = new OperationReporter(pub, ticker, NO_LINKS);
        List<String> hosts = List.of("h10", "h09", "h08", "h07", "h06", "h05", "h04", "h03", "h02", "h01");
        StepSpec apply = step("apply", hosts, null);
        Operation op = running(apply);
        for (String h : hosts) {
            r.hostFinished(op, 0, apply, new StepResult(StepOutcome.TIMED_OUT, h, null, "after 1m", "")
                    .withNotStopped("connection lost"));
        }
        finish(r, op, OperationState.FAILED, "demo #17 failed");
        flush(pub);

        assertThat(irc.texts()).filteredOn(t -> t.contains("could not stop")).containsExactly(
                "#17 could not stop the command on h01, h02, h03, h04, h05, h06, h07, h08 and 2 more (connection "
                        + "lost): check those hosts");
    }

    @Test
    void stuckNotice() {
        FakeConnector irc = FakeConnector.ircLike("chat", ticker);
        OperationReporter r = new OperationReporter(publisher(irc), ticker, NO_LINKS);
        StepSpec apply = step("apply", List.of("bm02"), null);
        Operation op = running(apply);
        r.hostStuck(op, 0, apply, "bm02", Duration.ofMinutes(5).plusSeconds(3), "waiting for lock");
        r.hostStuck(op, 0, apply, null, Duration.ofSeconds(30), "");
        r.hostStuck(op, 0, apply, "bm03", Duration.ofHours(2), null);
        r.hostStuck(op, 0, apply, "bm04", Duration.ofMinutes(12), "two\nlines");
        assertThat(irc.texts()).containsExactly(
                "#17 bm02 stuck: no output for 5m 3s; last: waiting for lock",
                "#17 apply stuck: no output for 30s",
                "#17 bm03 stuck: no output for 2h",
                "#17 bm04 stuck: no output for 12m; last: two lines");
    }

    @Test
    void rollbackNotices() {
        FakeConnector irc = FakeConnector.ircLike("chat", ticker);
        RoomPublisher pub = publisher(irc);
        OperationReporter r = new OperationReporter(pub, ticker, NO_LINKS);
        StepSpec undo = step("undo", List.of(), null);
        StepSpec apply = step("apply", List.of("bm01", "bm02"), undo);
        Operation op = running(apply);
        r.stepStarted(op, 0, apply);
        r.hostFinished(op, 0, apply, StepResult.succeeded("bm01", 0, ""));
        r.hostFinished(op, 0, apply, StepResult.failed("bm02", 1, "exit 1", ""));
        r.rollbackStarted(op, 0, undo);
        r.rollbackFinished(op, 0, undo, StepOutcome.SUCCEEDED, List.of(StepResult.succeeded("bm01", 0, "")));
        r.rollbackStarted(op, 0, undo);
        r.rollbackFinished(op, 0, undo, StepOutcome.FAILED, List.of(StepResult.succeeded("bm01", 0, ""),
                StepResult.failed("bm02", 2, "exit 2", "cannot undo")));
        flush(pub);
        assertThat(irc.texts()).containsSubsequence(
                "#17 failed: bm02: exit 1",
                "#17 rolling back step 1 (undo)",
                "#17 rolling back step 1 (undo)",
                "#17 rollback of step 1 failed: bm02: exit 2 (cannot undo)");
        assertThat(irc.texts()).filteredOn(t -> t.contains("rollback of step")).hasSize(1);

        r.hostFinished(op, 0, undo, StepResult.succeeded("bm01", 0, ""));
        ticker.advance(Duration.ofMinutes(1));
        pub.drain();
        assertThat(irc.texts()).last().asString().contains("· rolling back");
        finish(r, op, OperationState.FAILED, "demo #17 failed; rolled back");
        flush(pub);
        assertThat(irc.texts()).filteredOn(t -> t.startsWith("demo #17 [")).last().asString()
                .doesNotContain("rolling back").contains("· failed");
    }

    @Test
    void linkIsAddedToTheFinalLines() {
        FakeConnector chat = terminal();
        OperationReporter r = new OperationReporter(publisher(chat), ticker, id -> "https://bd.example/ops/"
                + id.value());
        StepSpec apply = step("apply", List.of("bm01"), null);
        Operation op = running(apply);
        r.stepStarted(op, 0, apply);
        r.hostFinished(op, 0, apply, StepResult.succeeded("bm01", 0, ""));
        finish(r, op, OperationState.SUCCEEDED, "ok");
        assertThat(chat.texts()).endsWith("demo #17 [############] 1/1 hosts · succeeded · 0s",
                "#17 log: https://bd.example/ops/17");
    }
}
