package org.buildduty.app.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.ConnectorEventRecord;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.testing.JournalContract;

class SqliteJournalTest extends JournalContract {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("data").resolve("buildduty.db");
    }

    @Override
    protected Journal open() {
        return SqliteJournal.open(file());
    }

    @Override
    protected void simulateDiskFull(boolean full) {
        ((SqliteJournal) journal).maxPageCount(full ? 1 : Integer.MAX_VALUE);
    }

    private SqliteJournal reopen() {
        journal.close();
        journal = SqliteJournal.open(file());
        return (SqliteJournal) journal;
    }

    @Test
    void createsParentDirectoriesAndUsesWal() throws Exception {
        assertThat(file()).exists();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
        assertThat(dir.resolve("data").resolve("buildduty.db.lock")).exists();
    }

    @Test
    void theDataFolderIsPrivateToTheBotAndTheJournalFilesToItsUser() throws Exception {
        create(OperationState.QUEUED);

        assertThat(mode(dir.resolve("data"))).isEqualTo("rwx------");
        for (String name : List.of("buildduty.db", "buildduty.db-wal", "buildduty.db-shm", "buildduty.db.lock")) {
            assertThat(mode(dir.resolve("data").resolve(name))).as(name).isEqualTo("rw-------");
        }
    }

    @Test
    void journalFilesLeftReadableByAnOlderBotAreMadePrivateOnOpen() throws Exception {
        create(OperationState.QUEUED);
        journal.close();
        for (String name : List.of("buildduty.db", "buildduty.db.lock")) {
            Files.setPosixFilePermissions(dir.resolve("data").resolve(name), PosixFilePermissions.fromString(
                    "rw-r--r--"));
        }

        reopen();
        create(OperationState.QUEUED);

        for (String name : List.of("buildduty.db", "buildduty.db-wal", "buildduty.db-shm", "buildduty.db.lock")) {
            assertThat(mode(dir.resolve("data").resolve(name))).as(name).isEqualTo("rw-------");
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void reopenKeepsEverything() {
        OperationId id = create(OperationState.PENDING_APPROVAL);
        journal.approvalRequested(id, T0.plusSeconds(600), T0);
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.APPROVED, BOB, "lgtm", T0.plusSeconds(5)));
        journal.operationState(id, OperationState.RUNNING, T0.plusSeconds(6), "");
        journal.hostStarted(id, 0, "update config", "bm01", false, T0.plusSeconds(7));
        journal.output(id, 0, "bm01", OutputChannel.STDERR, "warning: x", T0.plusSeconds(8));
        journal.hostFinished(id, 0, false, StepResult.failed("bm01", 2, "exit 2", "warning: x"), T0.plusSeconds(9));
        journal.hostStarted(id, 0, "restore config", "bm01", true, T0.plusSeconds(10));
        OperationId done = create(OperationState.QUEUED);
        journal.operationState(done, OperationState.CANCELLED, T0.plusSeconds(11), "cancelled by irc:bob");
        OperationRecord before = journal.operation(id).orElseThrow();
        List<HostRunRecord> runs = journal.hostRuns(id);
        List<OutputLine> output = journal.output(id, 0, 100);
        List<ApprovalRecord> approvals = journal.approvals(id);
        List<OperationRecord> recent = journal.recent(10, Long.MAX_VALUE);

        reopen();

        assertThat(journal.operation(id)).contains(before);
        assertThat(journal.hostRuns(id)).isEqualTo(runs).hasSize(2);
        assertThat(journal.output(id, 0, 100)).isEqualTo(output).hasSize(1);
        assertThat(journal.approvals(id)).isEqualTo(approvals).hasSize(2);
        assertThat(journal.recent(10, Long.MAX_VALUE)).isEqualTo(recent);
        assertThat(journal.unfinished()).extracting(OperationRecord::id).containsExactly(id);
        assertThat(before.expiresAt()).isEqualTo(T0.plusSeconds(600));
        journal.output(id, 0, "bm01", OutputChannel.STDOUT, "after reopen", T0.plusSeconds(12));
        assertThat(journal.output(id, 1, 10)).extracting(OutputLine::seq, OutputLine::line)
                .containsExactly(tuple(2L, "after reopen"));
        assertThat(journal.nextOperationId().value()).isGreaterThan(done.value());
    }

    @Test
    void idsNeverRepeatAcrossReopenEvenWhenNoOperationWasCreated() {
        OperationId created = create(OperationState.QUEUED);
        OperationId a = journal.nextOperationId();
        OperationId b = journal.nextOperationId();
        assertThat(List.of(created.value(), a.value(), b.value())).isSorted().doesNotHaveDuplicates();

        reopen();
        OperationId c = journal.nextOperationId();
        assertThat(c.value()).isGreaterThan(b.value());
        reopen();
        assertThat(journal.nextOperationId().value()).isGreaterThan(c.value());
    }

    @Test
    void bufferedOutputIsWrittenWithinAFractionOfASecond() throws Exception {
        OperationId id = create(OperationState.RUNNING);
        journal.output(id, 0, "bm01", OutputChannel.STDOUT, "soon on disk", T0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long rows = 0;
        while (rows == 0 && System.nanoTime() < deadline) {
            rows = countRowsFromAnotherConnection("output");
            if (rows == 0) {
                Thread.sleep(20);
            }
        }
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void stateChangesWriteBufferedOutputFirst() throws Exception {
        OperationId id = create(OperationState.RUNNING);
        for (int i = 0; i < 10; i++) {
            journal.output(id, 0, "bm01", OutputChannel.STDOUT, "line " + i, T0);
        }
        journal.operationState(id, OperationState.SUCCEEDED, T0.plusSeconds(1), "ok");
        assertThat(countRowsFromAnotherConnection("output")).isEqualTo(10);
    }

    private long countRowsFromAnotherConnection(String table) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aSecondOpenInTheSameProcessIsRefused() {
        create(OperationState.QUEUED);
        assertThatThrownBy(() -> SqliteJournal.open(file())).isInstanceOf(JournalException.class)
                .hasMessageContaining(file().toString())
                .hasMessageContaining("in use by another running bot");
        assertThat(journal.unfinished()).hasSize(1);

        reopen();
        assertThat(journal.unfinished()).hasSize(1);
    }

    @Test
    void aFileThatIsNotADatabaseGivesAClearError() throws IOException {
        Path bad = dir.resolve("notes.db");
        Files.writeString(bad, "these are my notes, not a database\n".repeat(200));

        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> SqliteJournal.open(bad)).isInstanceOf(JournalException.class)
                    .hasMessageStartingWith("journal " + bad + ": not a SQLite database");
        }
    }

    @Test
    void aVersionOneJournalIsUpgradedAndKeepsItsOperations() throws SQLException {
        OperationId id = create(OperationState.SUCCEEDED);
        journal.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement st = c.createStatement()) {
            st.execute("DROP TABLE connector_events");
            st.execute("DROP TABLE state");
            st.execute("ALTER TABLE approvals DROP COLUMN step");
            st.execute("ALTER TABLE host_runs DROP COLUMN kept");
            st.execute("UPDATE schema_version SET version = 1");
        }
        journal = SqliteJournal.open(file());
        assertThat(journal.operation(id)).isPresent();
        journal.connectorEvent(new ConnectorEventRecord("libera", ConnectionChanged.State.CLOSED,
                "closed; 2 queued lines were not sent", 2, T0));
        assertThat(reopen().connectorEvents(5)).singleElement()
                .satisfies(e -> assertThat(e.droppedLines()).isEqualTo(2));
        journal.putState("mbs-watch", "570", "{}");
        assertThat(reopen().states("mbs-watch")).containsOnlyKeys("570");
    }

    @Test
    void aJournalFromBeforeConfirmStepsOpensItsApprovalsBelongToTheStartAndItsRunsKeptNothing() throws SQLException {
        OperationId id = create(OperationState.PENDING_APPROVAL);
        journal.approvalRequested(id, T0.plusSeconds(600), T0);
        journal.hostStarted(id, 0, "update config", "bm01", false, T0.plusSeconds(1));
        journal.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement st = c.createStatement()) {
            st.execute("ALTER TABLE approvals DROP COLUMN step");
            st.execute("ALTER TABLE host_runs DROP COLUMN kept");
            st.execute("UPDATE schema_version SET version = 3");
        }
        journal = SqliteJournal.open(file());
        assertThat(journal.approvals(id)).singleElement().satisfies(a -> assertThat(a.step())
                .isEqualTo(ApprovalRecord.START));
        journal.hostFinished(id, 0, false, StepResult.succeeded("bm01", 0, "ok").withKept(Map.of("build", "7")),
                T0.plusSeconds(2));
        journal.approvalRequested(id, 1, T0.plusSeconds(900), T0.plusSeconds(3));
        assertThat(reopen().hostRuns(id)).singleElement().satisfies(r -> assertThat(r.result().kept())
                .isEqualTo(Map.of("build", "7")));
        assertThat(journal.approvals(id)).extracting(ApprovalRecord::step).containsExactly(ApprovalRecord.START, 1);
        assertThat(journal.operation(id).orElseThrow().expiresAt()).isEqualTo(T0.plusSeconds(900));
    }

    @Test
    void aJournalFromANewerBotIsRefused() throws SQLException {
        journal.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement st = c.createStatement()) {
            st.execute("UPDATE schema_version SET version = 99");
        }
        assertThatThrownBy(() -> SqliteJournal.open(file())).isInstanceOf(JournalException.class)
                .hasMessageContaining("schema version 99 is newer");
        journal = SqliteJournal.open(dir.resolve("other.db"));
    }

    @Test
    void aFullDiskNamesTheFileAndLosesNoBufferedOutput() {
        OperationId id = create(OperationState.RUNNING);
        SqliteJournal sqlite = (SqliteJournal) journal;
        sqlite.maxPageCount(1);
        for (int i = 1; i <= 300; i++) {
            journal.output(id, 0, "bm01", OutputChannel.STDOUT, "buffered line " + i + " " + "y".repeat(100), T0);
        }
        assertThatThrownBy(() -> journal.operationState(id, OperationState.SUCCEEDED, T0, "done"))
                .isInstanceOf(JournalException.class)
                .hasMessageStartingWith("journal " + file() + ": disk full");
        assertThatThrownBy(sqlite::checkWritable).hasMessageStartingWith("journal " + file() + ": disk full");
        assertThatThrownBy(() -> journal.output(id, 0, "bm01", OutputChannel.STDOUT, "refused", T0))
                .hasMessageContaining("disk full");
        assertThat(journal.output(id, 0, 1000)).hasSize(300);

        sqlite.maxPageCount(Integer.MAX_VALUE);
        journal.operationState(id, OperationState.SUCCEEDED, T0, "done");
        reopen();
        List<OutputLine> lines = journal.output(id, 0, 1000);
        assertThat(lines).hasSize(300);
        assertThat(lines.get(299).line()).startsWith("buffered line 300 ");
        assertThat(journal.operation(id).orElseThrow().state()).isEqualTo(OperationState.SUCCEEDED);
    }

    @Test
    void aClosedJournalRefusesCalls() {
        journal.close();
        assertThatThrownBy(() -> journal.nextOperationId()).isInstanceOf(JournalException.class)
                .hasMessageContaining("closed");
        journal.close();
        journal = null;
    }

    @Test
    void aKilledBotLeavesItsRunningOperationIntact() throws Exception {
        journal.close();
        journal = null;
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", classpath, JournalCrashChild.class.getName(),
                file().toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> readUntilReady(out)).get(60, TimeUnit.SECONDS);
            assertThat(ready).startsWith("READY ");
            // the running child holds the journal: this process is a second bot and is kept out
            assertThatThrownBy(() -> SqliteJournal.open(file())).isInstanceOf(JournalException.class)
                    .hasMessageContaining("in use by another running bot");
            Thread.sleep(100);
            assertThat(child.isAlive()).as("child still writing output").isTrue();
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        journal = SqliteJournal.open(file());
        List<OperationRecord> unfinished = journal.unfinished();
        assertThat(unfinished).hasSize(1);
        OperationRecord op = unfinished.get(0);
        assertThat(op.state()).isEqualTo(OperationState.RUNNING);
        assertThat(op.plan()).isEqualTo(plan());
        assertThat(op.startedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(journal.hostRuns(op.id())).containsExactly(
                new HostRunRecord(0, "update config", "bm01", false, T0.plusSeconds(2), null, null));
        List<OutputLine> first = journal.output(op.id(), 0, JournalCrashChild.LINES);
        assertThat(first).hasSize(JournalCrashChild.LINES);
        for (int i = 0; i < first.size(); i++) {
            assertThat(first.get(i).seq()).isEqualTo(i + 1);
            assertThat(first.get(i).line()).isEqualTo("line " + (i + 1));
        }
        long seq = JournalCrashChild.LINES;
        for (List<OutputLine> page = journal.output(op.id(), seq, 5000); !page.isEmpty();
                page = journal.output(op.id(), seq, 5000)) {
            for (OutputLine l : page) {
                assertThat(l.seq()).isEqualTo(seq + 1);
                assertThat(l.line()).isEqualTo("line " + l.seq());
                seq = l.seq();
            }
        }
        // the unused id allocated after the operation is never handed out again
        assertThat(journal.nextOperationId().value()).isEqualTo(op.id().value() + 2);
        journal.output(op.id(), 0, "bm01", OutputChannel.INFO, "after restart", T0);
        assertThat(journal.output(op.id(), seq, 10)).extracting(OutputLine::seq).containsExactly(seq + 1);
    }

    private static String readUntilReady(BufferedReader out) {
        StringBuilder seen = new StringBuilder();
        try {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("READY ")) {
                    return line;
                }
                seen.append(line).append('\n');
            }
        } catch (IOException e) {
            seen.append(e);
        }
        return "child ended before READY:\n" + seen;
    }
}
