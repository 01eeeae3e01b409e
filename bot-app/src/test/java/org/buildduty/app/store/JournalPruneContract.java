package org.buildduty.app.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.JournalContract;
import org.buildduty.core.time.Ticker;

/**
 * bot.retention in every {@link BotJournal}: what is pruned, what never is, in batches; a concrete test says how to
 * open a fresh journal.
 */
abstract class JournalPruneContract {
    static final Instant T0 = Instant.parse("2026-09-01T06:00:00Z");
    static final String LINE = "x".repeat(100);

    protected final FakeTicker ticker = new FakeTicker(T0);
    protected BotJournal journal;

    /** Opens a fresh, empty journal stamped by {@code clock}. */
    protected abstract BotJournal open(Ticker clock);

    @BeforeEach
    void openJournal() {
        journal = open(ticker);
    }

    @AfterEach
    void closeJournal() {
        if (journal != null) {
            journal.close();
        }
    }

    /** An operation with a host run, an approval request and event and {@code lines} output lines, then in state. */
    protected OperationId op(OperationState state, Instant endedAt, int lines) {
        OperationId id = journal.nextOperationId();
        journal.operationCreated(JournalContract.op(id, OperationState.QUEUED));
        journal.approvalRequested(id, T0.plus(Duration.ofMinutes(10)), T0);
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.APPROVED, JournalContract.BOB, "", T0,
                ApprovalRecord.START));
        journal.hostStarted(id, 0, "s", "bm01", false, T0);
        for (int i = 0; i < lines; i++) {
            journal.output(id, 0, "bm01", OutputChannel.STDOUT, LINE + i, T0);
        }
        journal.flush();
        if (state != OperationState.QUEUED) {
            journal.operationState(id, state, endedAt, "");
        }
        return id;
    }

    @Test
    void prunesOldEndedOperationsAndTheirOutputKeepingTheNewestMinOperationsAndEveryLiveOne() {
        OperationId old1 = op(OperationState.SUCCEEDED, T0, 10);
        OperationId old2 = op(OperationState.FAILED, T0, 10);
        OperationId running = op(OperationState.RUNNING, T0, 10);
        OperationId waiting = op(OperationState.WAITING, T0, 10);
        OperationId queued = op(OperationState.QUEUED, T0, 10);
        OperationId pending = op(OperationState.PENDING_APPROVAL, T0, 10);
        OperationId old3 = op(OperationState.CANCELLED, T0, 10);
        OperationId young = op(OperationState.SUCCEEDED, T0.plus(Duration.ofDays(80)), 10);
        ticker.advance(Duration.ofDays(91));

        BotJournal.Pruned p = journal.prune(ticker.now().minus(Duration.ofDays(90)), 2, "retention 90d");

        // the newest two ended operations are young and old3: old1 and old2 go
        assertThat(p.operations()).isEqualTo(2);
        assertThat(p.lines()).isEqualTo(20);
        assertThat(journal.output(old1, 0, 100)).isEmpty();
        assertThat(journal.output(old2, 0, 100)).isEmpty();
        assertThat(journal.outputPruned(old1)).hasValue(ticker.now() + " retention 90d");
        assertThat(journal.outputPruned(old2)).hasValue(ticker.now() + " retention 90d");
        assertThat(journal.operation(old1)).as("an ended operation older than keep goes with its output").isEmpty();
        assertThat(journal.operation(old2)).isEmpty();
        assertThat(journal.hostRuns(old1)).isEmpty();
        assertThat(journal.approvals(old1)).isEmpty();
        assertThat(journal.operation(old3)).isPresent();
        assertThat(journal.output(old3, 0, 100)).hasSize(10);
        assertThat(journal.approvals(old3)).hasSize(2);
        assertThat(journal.outputPruned(old3)).isEmpty();
        assertThat(journal.output(young, 0, 100)).hasSize(10);
        for (OperationId live : new OperationId[] {running, waiting, queued, pending}) {
            assertThat(journal.output(live, 0, 100)).as("live %s", live).hasSize(10);
            assertThat(journal.outputPruned(live)).isEmpty();
            assertThat(journal.operation(live)).as("live %s", live).isPresent();
            assertThat(journal.hostRuns(live)).as("live %s", live).hasSize(1);
            assertThat(journal.approvals(live)).as("live %s", live).hasSize(2);
        }
        assertThat(journal.unfinished()).hasSize(4);

        assertThat(journal.prune(ticker.now().minus(Duration.ofDays(90)), 0, "retention 90d").operations())
                .as("with min_operations 0 the old one kept before goes too").isEqualTo(1);
        assertThat(journal.output(old3, 0, 100)).isEmpty();
        assertThat(journal.output(young, 0, 100)).hasSize(10);
        assertThat(journal.nextOperationId().value()).as("ids are never reused").isGreaterThan(young.value());
    }

    @Test
    void anOperationThatEndedAtTheCutoffOrLaterIsKept() {
        OperationId atCutoff = op(OperationState.SUCCEEDED, T0, 1);
        OperationId before = op(OperationState.SUCCEEDED, T0.minusSeconds(1), 1);
        BotJournal.Pruned p = journal.prune(T0, 0, "retention 1d");
        assertThat(p.operations()).isEqualTo(1);
        assertThat(journal.operation(before)).isEmpty();
        assertThat(journal.operation(atCutoff)).isPresent();
        assertThat(journal.outputPruned(atCutoff)).isEmpty();
    }

    @Test
    void prunesManyBatchesOfOperationsInOneCallKeepingTheNewest() {
        int total = 2 * JournalPruning.BATCH + 30;
        List<OperationId> ids = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            ids.add(op(OperationState.SUCCEEDED, T0, i % 3));
        }
        OperationId live = op(OperationState.RUNNING, T0, 1);
        ticker.advance(Duration.ofDays(91));

        BotJournal.Pruned p = journal.prune(ticker.now().minus(Duration.ofDays(90)), 5, "retention 90d");

        assertThat(p.operations()).isEqualTo(total - 5);
        long lines = 0;
        for (int i = 0; i < total - 5; i++) {
            lines += i % 3;
        }
        assertThat(p.lines()).isEqualTo(lines);
        for (int i = 0; i < total; i++) {
            OperationId id = ids.get(i);
            boolean kept = i >= total - 5;
            assertThat(journal.operation(id).isPresent()).as("%s kept", id).isEqualTo(kept);
            assertThat(journal.outputPruned(id).isPresent()).as("%s pruned", id).isEqualTo(!kept);
        }
        assertThat(journal.operation(live)).isPresent();
        assertThat(journal.recent(100, Long.MAX_VALUE)).hasSize(6);
        assertThat(journal.prune(ticker.now().minus(Duration.ofDays(90)), 5, "retention 90d").operations())
                .as("nothing left to prune").isZero();
    }

    @Test
    void theSizeGrowsWithOutputAndPrunedSaysItBeforeAndAfter() {
        long empty = journal.sizeBytes();
        assertThat(empty).isPositive();
        op(OperationState.SUCCEEDED, T0, 5_000);
        long full = journal.sizeBytes();
        assertThat(full).as("5,000 lines of 100 characters").isGreaterThan(empty + 5_000 * 100);
        BotJournal.Pruned p = journal.prune(T0.plusSeconds(1), 0, "retention 1d");
        assertThat(p.lines()).isEqualTo(5_000);
        assertThat(p.bytesBefore()).isEqualTo(full);
        assertThat(p.bytesAfter()).isEqualTo(journal.sizeBytes());
    }
}
