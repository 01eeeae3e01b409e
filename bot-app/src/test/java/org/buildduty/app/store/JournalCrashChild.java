package org.buildduty.app.store;

import java.nio.file.Path;
import java.time.Instant;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.JournalContract;

/**
 * Run in a child JVM by {@link SqliteJournalTest}: journals a running operation with output, allocates one more id
 * without using it, prints {@code READY <op> <unused> <lines>}, then keeps writing output until it is killed.
 */
final class JournalCrashChild {
    static final int LINES = 1_000;

    private JournalCrashChild() {
    }

    public static void main(String[] args) {
        Instant t0 = Instant.parse("2026-11-21T10:00:00.123Z");
        SqliteJournal journal = SqliteJournal.open(Path.of(args[0]));
        OperationId id = journal.nextOperationId();
        journal.operationCreated(new Operation(id, JournalContract.plan(), JournalContract.ALICE,
                JournalContract.ROOM, t0, OperationState.QUEUED));
        journal.operationState(id, OperationState.RUNNING, t0.plusSeconds(1), "");
        journal.hostStarted(id, 0, "update config", "bm01", false, t0.plusSeconds(2));
        for (int i = 1; i <= LINES; i++) {
            journal.output(id, 0, "bm01", OutputChannel.STDOUT, "line " + i, t0.plusMillis(i));
        }
        OperationId unused = journal.nextOperationId();
        journal.flush();
        System.out.println("READY " + id.value() + " " + unused.value() + " " + LINES);
        System.out.flush();
        for (long i = LINES + 1; ; i++) {
            journal.output(id, 0, "bm01", OutputChannel.STDOUT, "line " + i, t0.plusMillis(i));
        }
    }
}
