package org.buildduty.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

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
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;

class JournalSinkTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private final FakeTicker ticker = new FakeTicker(T0);
    private final InMemoryJournal journal = new InMemoryJournal();
    private final JournalSink sink = new JournalSink(journal, ticker);

    private final StepSpec undo = new StepSpec("restore", "ssh", Map.of("command", "restore"), List.of("bm01"), 1,
            null, null, OnHostFailure.STOP, null);
    private final StepSpec update = new StepSpec("update", "ssh", Map.of("command", "update"),
            List.of("bm01", "bm02"), 2, null, null, OnHostFailure.STOP, undo);
    private final StepSpec reload = new StepSpec("reload", "ssh", Map.of("command", "reload"), List.of("bm01"), 1,
            null, null, OnHostFailure.STOP, null);

    private Operation newOperation() {
        OperationId id = journal.nextOperationId();
        OperationPlan plan = new OperationPlan("reconfig", Map.of(), List.of(update, reload), ApprovalPolicy.NONE,
                "masters");
        Operation op = new Operation(id, plan, Identity.parse("irc:alice"), ChatAddress.of("irc", "#ops"), T0,
                OperationState.QUEUED);
        journal.operationCreated(op);
        return op;
    }

    private Instant tick() {
        return ticker.advance(Duration.ofSeconds(1)).now();
    }

    @Test
    void journalsAFailedOperationWithItsRollback() {
        Operation op = newOperation();
        OperationId id = op.id();

        Instant started = tick();
        sink.operationStarted(op);
        assertThat(journal.operation(id).orElseThrow().state()).isEqualTo(OperationState.RUNNING);
        assertThat(journal.operation(id).orElseThrow().startedAt()).isEqualTo(started);

        sink.stepStarted(op, 0, update);
        Instant h1 = tick();
        sink.hostStarted(op, 0, update, "bm01");
        Instant h2 = tick();
        sink.hostStarted(op, 0, update, "bm02");
        Instant out = tick();
        sink.output(op, 0, update, "bm01", OutputChannel.STDOUT, "pulling");
        sink.output(op, 0, update, "bm02", OutputChannel.STDERR, "conflict");
        sink.hostStuck(op, 0, update, "bm02", Duration.ofMinutes(1), "conflict");
        StepResult ok1 = StepResult.succeeded("bm01", 0, "pulling");
        Instant f1 = tick();
        sink.hostFinished(op, 0, update, ok1);
        StepResult bad2 = StepResult.failed("bm02", 1, "exit 1", "conflict");
        Instant f2 = tick();
        sink.hostFinished(op, 0, update, bad2);
        sink.stepFinished(op, 0, update, StepOutcome.FAILED, List.of(ok1, bad2));

        Instant rb = tick();
        sink.rollbackStarted(op, 0, undo);
        assertThat(journal.operation(id).orElseThrow().state()).isEqualTo(OperationState.ROLLING_BACK);
        Instant r1 = tick();
        sink.hostStarted(op, 0, undo, "bm01");
        sink.output(op, 0, undo, "bm01", OutputChannel.STDOUT, "restored");
        StepResult undone = StepResult.succeeded("bm01", 0, "restored");
        Instant r2 = tick();
        sink.hostFinished(op, 0, undo, undone);
        sink.rollbackFinished(op, 0, undo, StepOutcome.SUCCEEDED, List.of(undone));
        Instant end = tick();
        sink.operationFinished(op, OperationState.FAILED, "reconfig failed at update (bm02: exit 1); rolled back");

        assertThat(sink.failures()).isZero();
        var record = journal.operation(id).orElseThrow();
        assertThat(record.state()).isEqualTo(OperationState.FAILED);
        assertThat(record.detail()).isEqualTo("reconfig failed at update (bm02: exit 1); rolled back");
        assertThat(record.startedAt()).isEqualTo(started);
        assertThat(record.endedAt()).isEqualTo(end);
        assertThat(rb).isBefore(r1);
        assertThat(journal.hostRuns(id)).containsExactly(
                new HostRunRecord(0, "update", "bm01", false, h1, f1, ok1),
                new HostRunRecord(0, "update", "bm02", false, h2, f2, bad2),
                new HostRunRecord(0, "restore", "bm01", true, r1, r2, undone));
        assertThat(journal.output(id, 0, 10)).containsExactly(
                new OutputLine(1, 0, "bm01", OutputChannel.STDOUT, "pulling", out),
                new OutputLine(2, 0, "bm02", OutputChannel.STDERR, "conflict", out),
                new OutputLine(3, 0, "bm01", OutputChannel.STDOUT, "restored", r1));
    }

    @Test
    void onlyHostRunsInsideARollbackAreRollbackRuns() {
        Operation op = newOperation();
        sink.operationStarted(op);
        sink.hostStarted(op, 0, update, "bm01");
        sink.hostFinished(op, 0, update, StepResult.succeeded("bm01", 0, ""));
        sink.hostStarted(op, 1, reload, "bm01");
        sink.hostFinished(op, 1, reload, StepResult.failed("bm01", 2, "exit 2", ""));
        sink.rollbackStarted(op, 0, undo);
        sink.hostStarted(op, 0, undo, "bm01");
        sink.hostFinished(op, 0, undo, StepResult.succeeded("bm01", 0, ""));
        sink.rollbackFinished(op, 0, undo, StepOutcome.SUCCEEDED, List.of());
        // a second rollback phase of the same operation does not rewrite the state
        sink.rollbackStarted(op, 0, undo);
        sink.rollbackFinished(op, 0, undo, StepOutcome.SUCCEEDED, List.of());
        sink.operationFinished(op, OperationState.FAILED, "failed");

        assertThat(journal.hostRuns(op.id())).extracting(HostRunRecord::stepName, HostRunRecord::rollback)
                .containsExactly(
                        tuple("update", false),
                        tuple("reload", false),
                        tuple("restore", true));
        assertThat(journal.hostRuns(op.id())).allMatch(r -> r.result() != null);
    }

    @Test
    void rollbackTrackingIsPerOperation() {
        Operation a = newOperation();
        Operation b = newOperation();
        sink.operationStarted(a);
        sink.operationStarted(b);
        sink.rollbackStarted(a, 0, undo);
        sink.hostStarted(b, 0, update, "bm01");
        sink.hostStarted(a, 0, undo, "bm01");

        assertThat(journal.hostRuns(b.id())).extracting(HostRunRecord::rollback).containsExactly(false);
        assertThat(journal.hostRuns(a.id())).extracting(HostRunRecord::rollback).containsExactly(true);
        assertThat(journal.operation(b.id()).orElseThrow().state()).isEqualTo(OperationState.RUNNING);
        assertThat(journal.operation(a.id()).orElseThrow().state()).isEqualTo(OperationState.ROLLING_BACK);
    }

    @Test
    void aHostRunsReasonAndLastLineAreRedactedBeforeTheyAreJournaled() {
        JournalSink redacting = new JournalSink(journal, ticker, new Redactor(List.of("tok-s3cr3t-42")));
        Operation op = newOperation();
        redacting.operationStarted(op);
        redacting.hostStarted(op, 0, update, "bm01");
        redacting.hostFinished(op, 0, update, new StepResult(StepOutcome.FAILED, "bm01", 1,
                "HTTP 401: token tok-s3cr3t-42 refused", "Authorization: Bearer tok-s3cr3t-42", Map.of("k", "v")));

        StepResult journaled = journal.hostRuns(op.id()).get(0).result();
        assertThat(journaled.reason()).isEqualTo("HTTP 401: token *** refused");
        assertThat(journaled.lastLine()).isEqualTo("Authorization: Bearer ***");
        assertThat(journaled.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(journaled.exitCode()).isEqualTo(1);
        assertThat(journaled.kept()).containsEntry("k", "v");
    }

    @Test
    void journalFailuresAreCountedNotThrown() {
        Operation op = newOperation();
        journal.failWrites(true);

        sink.operationStarted(op);
        sink.hostStarted(op, 0, update, "bm01");
        sink.output(op, 0, update, "bm01", OutputChannel.STDOUT, "x");
        sink.hostFinished(op, 0, update, StepResult.succeeded("bm01", 0, "x"));
        sink.operationFinished(op, OperationState.SUCCEEDED, "done");

        assertThat(sink.failures()).isEqualTo(5);
        journal.failWrites(false);
        assertThat(journal.operation(op.id()).orElseThrow().state()).isEqualTo(OperationState.QUEUED);
        sink.operationStarted(op);
        assertThat(sink.failures()).isEqualTo(5);
        assertThat(journal.operation(op.id()).orElseThrow().state()).isEqualTo(OperationState.RUNNING);
    }
}
