package org.buildduty.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.ConnectorEventRecord;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.Journal;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.OperationQuery;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;

/**
 * The behaviour every {@link Journal} must have; a concrete test extends it and says how to open a journal and how
 * to make its disk full.
 */
public abstract class JournalContract {
    public static final Instant T0 = Instant.parse("2026-11-21T10:00:00.123Z");
    public static final Identity ALICE = new Identity("matrix", "@alice:example.org");
    public static final Identity BOB = Identity.parse("irc:bob");
    public static final ChatAddress ROOM = new ChatAddress("matrix", "!ops:example.org", "$thread1");

    protected Journal journal;

    /** Opens a fresh, empty journal. */
    protected abstract Journal open();

    /** Makes writes fail as on a full disk ({@code true}) or work again ({@code false}). */
    protected abstract void simulateDiskFull(boolean full);

    @BeforeEach
    void openJournal() {
        journal = open();
    }

    @AfterEach
    void closeJournal() {
        if (journal != null) {
            simulateDiskFull(false);
            journal.close();
        }
    }

    /** A plan with two steps over hosts, a rollback, parameters and an approval policy. */
    public static OperationPlan plan() {
        StepSpec undo = new StepSpec("restore config", "ssh", Map.of("command", "git checkout HEAD@{1}"),
                List.of("bm01", "bm02"), 2, Duration.ofMinutes(2), null, OnHostFailure.CONTINUE, null);
        StepSpec update = new StepSpec("update config", "ssh",
                Map.of("command", "git pull && make checkconfig", "retries", 3L, "env", Map.of("X", "1")),
                List.of("bm01", "bm02"), 2, Duration.ofMinutes(5), Duration.ofSeconds(90), OnHostFailure.STOP, undo);
        StepSpec reload = StepSpec.of("reload", "local", Map.of("command", "echo 'reloaded'"));
        Map<String, String> params = new LinkedHashMap<>();
        params.put("masters", "all");
        params.put("revision", "4f2a9c1");
        ApprovalPolicy approval = new ApprovalPolicy("releng", 2, true, Duration.ofMinutes(10));
        return new OperationPlan("reconfig", params, List.of(update, reload), approval, "masters");
    }

    public static Operation op(OperationId id, OperationState state) {
        return new Operation(id, plan(), ALICE, ROOM, T0, state);
    }

    /** Allocates an id and creates an operation in {@code state}. */
    protected OperationId create(OperationState state) {
        OperationId id = journal.nextOperationId();
        journal.operationCreated(op(id, state));
        return id;
    }

    private OperationRecord record(OperationId id) {
        return journal.operation(id).orElseThrow();
    }

    /** Creates an operation of {@code kind} by {@code who} with {@code params}, made at {@code at}, then in state. */
    private OperationId made(String kind, Identity who, Map<String, String> params, Instant at, OperationState state) {
        OperationId id = journal.nextOperationId();
        OperationPlan p = plan();
        journal.operationCreated(new Operation(id, new OperationPlan(kind, params, p.steps(), p.approval(), p.unit()),
                who, ROOM, at, OperationState.QUEUED));
        if (state != OperationState.QUEUED) {
            journal.operationState(id, state, at.plusSeconds(1), "");
        }
        return id;
    }

    @Test
    void findFiltersByKindRequesterStateCreationTimeAndParameterWordsNewestFirst() {
        Instant day1 = Instant.parse("2026-11-20T00:00:00Z");
        Instant day2 = Instant.parse("2026-11-21T00:00:00.5Z");
        OperationId a = made("reconfig", ALICE, Map.of("masters", "all", "revision", "4f2a9c1"), day1,
                OperationState.SUCCEEDED);
        OperationId b = made("reconfig", BOB, Map.of("masters", "bm01", "revision", "77e1"), day2,
                OperationState.FAILED);
        OperationId c = made("restart", BOB, Map.of("note", "Say \"hi\" to Zoë"), day2.plusSeconds(60),
                OperationState.PENDING_APPROVAL);
        OperationId d = made("reconfig", ALICE, Map.of("masters", "all", "token", "s3cret-4f2a"),
                day2.plusSeconds(120), OperationState.CANCELLED);
        OperationQuery all = OperationQuery.newest(10);

        assertThat(journal.find(all)).extracting(OperationRecord::id).containsExactly(d, c, b, a);
        assertThat(journal.find(all.withKind("reconfig"))).extracting(OperationRecord::id).containsExactly(d, b, a);
        assertThat(journal.find(all.withRequester("BOB"))).extracting(OperationRecord::id).containsExactly(c, b);
        assertThat(journal.find(all.withRequester("matrix:@alice:example.org"))).extracting(OperationRecord::id)
                .containsExactly(d, a);
        assertThat(journal.find(all.withRequester("alice"))).isEmpty();
        assertThat(journal.find(all.withStates(Set.of(OperationState.FAILED, OperationState.CANCELLED))))
                .extracting(OperationRecord::id).containsExactly(d, b);
        // from is inclusive (an instant within its second too), to exclusive
        assertThat(journal.find(all.withCreated(Instant.parse("2026-11-21T00:00:00Z"), day2.plusSeconds(120))))
                .extracting(OperationRecord::id).containsExactly(c, b);
        assertThat(journal.find(all.withCreated(null, Instant.parse("2026-11-21T00:00:00Z"))))
                .extracting(OperationRecord::id).containsExactly(a);
        assertThat(journal.find(all.withText("REVISION=4f2a", null))).extracting(OperationRecord::id)
                .containsExactly(a);
        assertThat(journal.find(all.withText("masters=all 4f2a", null))).extracting(OperationRecord::id)
                .containsExactly(d, a);
        assertThat(journal.find(all.withText("\"hi\" zoë", null))).extracting(OperationRecord::id)
                .containsExactly(c);
        // a secret value is searched as the page shows it, redacted
        assertThat(journal.find(all.withText("s3cret", v -> v.replace("s3cret", "***")))).isEmpty();
        assertThat(journal.find(all.withText("token=***-4f2a", v -> v.replace("s3cret", "***"))))
                .extracting(OperationRecord::id).containsExactly(d);
        assertThat(journal.find(all.withKind("reconfig").withText("4f2a", null).withRequester("@alice:example.org")
                .withStates(Set.of(OperationState.SUCCEEDED)))).extracting(OperationRecord::id).containsExactly(a);
    }

    @Test
    void findPagesByIdAndLimitEvenWhenMostRowsDoNotMatch() {
        List<OperationId> wanted = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            OperationId id = made(i % 30 == 0 ? "reconfig" : "other", ALICE,
                    Map.of("n", i % 30 == 0 ? "wanted-" + i : "x" + i), T0, OperationState.SUCCEEDED);
            if (i % 30 == 0) {
                wanted.add(0, id);
            }
        }
        OperationQuery q = OperationQuery.newest(4).withText("wanted", null);
        List<OperationRecord> first = journal.find(q);
        assertThat(first).extracting(OperationRecord::id).containsExactlyElementsOf(wanted.subList(0, 4));
        List<OperationRecord> second = journal.find(q.withBefore(first.get(3).id().value()));
        assertThat(second).extracting(OperationRecord::id).containsExactlyElementsOf(wanted.subList(4, 8));
        assertThat(journal.find(q.withBefore(second.get(3).id().value()))).extracting(OperationRecord::id)
                .containsExactlyElementsOf(wanted.subList(8, 10));
        assertThat(journal.find(q.withLimit(0))).isEmpty();
    }

    @Test
    void anOperationWaitingAtAConfirmStepKeepsItsStepTheApprovalsOfThatStepAndTheValuesItsStepsKept() {
        OperationId id = create(OperationState.RUNNING);
        journal.hostStarted(id, 0, "update config", "bm01", false, T0);
        journal.hostFinished(id, 0, false, StepResult.succeeded("bm01", 0, "ok").withKept(Map.of("build", "42",
                "url", "http://ci/42")), T0.plusSeconds(1));
        journal.approvalRequested(id, 1, T0.plusSeconds(1800), T0.plusSeconds(2));
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.APPROVED, BOB, "", T0.plusSeconds(3), 1));
        journal.operationState(id, OperationState.WAITING, T0.plusSeconds(2), "waiting at step 2");

        assertThat(record(id).state()).isEqualTo(OperationState.WAITING);
        assertThat(record(id).expiresAt()).isEqualTo(T0.plusSeconds(1800));
        assertThat(journal.unfinished()).extracting(OperationRecord::id).contains(id);
        assertThat(journal.approvals(id)).extracting(ApprovalRecord::kind, ApprovalRecord::step).containsExactly(
                tuple(ApprovalRecord.Kind.REQUESTED, 1), tuple(ApprovalRecord.Kind.APPROVED, 1));
        assertThat(journal.hostRuns(id)).singleElement().satisfies(r -> assertThat(r.result().kept())
                .isEqualTo(Map.of("build", "42", "url", "http://ci/42")));
    }

    @Test
    void connectorEventsAreKeptNewestFirstWithTheirDroppedLineCounts() {
        journal.connectorEvent(new ConnectorEventRecord("libera", ConnectionChanged.State.RECONNECTING,
                "connection reset; reconnecting in 1000 ms (attempt 1)", 0, T0));
        journal.connectorEvent(new ConnectorEventRecord("libera", ConnectionChanged.State.CONNECTED,
                "irc.libera.chat:6697 as buildduty; 7 queued lines were dropped while disconnected", 7,
                T0.plusSeconds(3)));
        List<ConnectorEventRecord> events = journal.connectorEvents(10);
        assertThat(events).extracting(ConnectorEventRecord::state).containsExactly(
                ConnectionChanged.State.CONNECTED, ConnectionChanged.State.RECONNECTING);
        assertThat(events.get(0).droppedLines()).isEqualTo(7);
        assertThat(events.get(0).at()).isEqualTo(T0.plusSeconds(3));
        assertThat(events.get(0).detail()).contains("7 queued lines were dropped");
        assertThat(journal.connectorEvents(1)).hasSize(1);
    }

    @Test
    void stateRecordsArePutReplacedListedByKindInKeyOrderAndRemoved() {
        journal.putState("mbs-watch", "b", "{\"id\":2}");
        journal.putState("mbs-watch", "a", "{\"id\":1}");
        journal.putState("maintenance", "a", "{\"title\":\"x\"}");
        journal.putState("mbs-watch", "b", "{\"id\":3}");
        assertThat(journal.states("mbs-watch")).containsExactly(
                Map.entry("a", "{\"id\":1}"), Map.entry("b", "{\"id\":3}"));
        assertThat(journal.states("maintenance")).containsOnlyKeys("a");
        journal.removeState("mbs-watch", "a");
        journal.removeState("mbs-watch", "absent");
        assertThat(journal.states("mbs-watch")).containsOnlyKeys("b");
        assertThat(journal.states("unknown")).isEmpty();
    }

    @Test
    void idsIncreaseAndNeverRepeat() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(journal.nextOperationId().value());
        }
        assertThat(ids).doesNotHaveDuplicates().isSorted();
        assertThat(ids.get(0)).isPositive();
    }

    @Test
    void idsContinueAboveAnOperationCreatedWithAHigherId() {
        journal.operationCreated(op(new OperationId(50), OperationState.QUEUED));
        assertThat(journal.nextOperationId().value()).isGreaterThan(50);
    }

    @Test
    void idsAreUniqueAcrossThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        mine.add(journal.nextOperationId().value());
                    }
                    return mine;
                }));
            }
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> f : futures) {
                all.addAll(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(all).hasSize(400);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void operationRoundTripsWithItsFrozenPlan() {
        OperationId id = create(OperationState.PENDING_APPROVAL);

        OperationRecord r = record(id);
        assertThat(r.id()).isEqualTo(id);
        assertThat(r.plan()).isEqualTo(plan());
        assertThat(r.plan().steps().get(0).rollback().hosts()).containsExactly("bm01", "bm02");
        assertThat(r.plan().approval()).isEqualTo(new ApprovalPolicy("releng", 2, true, Duration.ofMinutes(10)));
        assertThat(r.plan().paramSummary()).isEqualTo("masters=all revision=4f2a9c1");
        assertThat(r.requester()).isEqualTo(ALICE);
        assertThat(r.origin()).isEqualTo(ROOM);
        assertThat(r.createdAt()).isEqualTo(T0);
        assertThat(r.state()).isEqualTo(OperationState.PENDING_APPROVAL);
        assertThat(r.startedAt()).isNull();
        assertThat(r.endedAt()).isNull();
        assertThat(r.expiresAt()).isNull();
        assertThat(r.detail()).isEmpty();
        assertThat(r.toOperation().title()).isEqualTo("reconfig " + id);
    }

    @Test
    void originWithoutThreadRoundTrips() {
        OperationId id = journal.nextOperationId();
        journal.operationCreated(new Operation(id, plan(), BOB, ChatAddress.of("irc", "#ops"), T0,
                OperationState.QUEUED));
        assertThat(record(id).origin()).isEqualTo(ChatAddress.of("irc", "#ops"));
        assertThat(record(id).requester()).isEqualTo(BOB);
    }

    @Test
    void unknownOperationReadsAreEmpty() {
        OperationId id = new OperationId(999);
        assertThat(journal.operation(id)).isEmpty();
        assertThat(journal.hostRuns(id)).isEmpty();
        assertThat(journal.output(id, 0, 10)).isEmpty();
        assertThat(journal.approvals(id)).isEmpty();
    }

    @Test
    void writesToAnUnknownOperationFail() {
        OperationId id = new OperationId(999);
        assertThatThrownBy(() -> journal.operationState(id, OperationState.RUNNING, T0, ""))
                .isInstanceOf(JournalException.class).hasMessageContaining("#999");
        assertThatThrownBy(() -> journal.hostStarted(id, 0, "s", "h", false, T0))
                .isInstanceOf(JournalException.class).hasMessageContaining("#999");
        assertThatThrownBy(() -> journal.output(id, 0, "h", OutputChannel.STDOUT, "x", T0))
                .isInstanceOf(JournalException.class).hasMessageContaining("#999");
        assertThatThrownBy(() -> journal.approvalRequested(id, T0, T0))
                .isInstanceOf(JournalException.class).hasMessageContaining("#999");
    }

    @Test
    void creatingTheSameOperationTwiceFails() {
        OperationId id = create(OperationState.QUEUED);
        assertThatThrownBy(() -> journal.operationCreated(op(id, OperationState.QUEUED)))
                .isInstanceOf(JournalException.class);
        assertThat(record(id).state()).isEqualTo(OperationState.QUEUED);
    }

    @Test
    void stateChangesRecordStartEndAndDetail() {
        OperationId id = create(OperationState.QUEUED);
        Instant started = T0.plusSeconds(5);
        Instant rolling = T0.plusMillis(7_250);
        Instant ended = T0.plusSeconds(9);

        journal.operationState(id, OperationState.RUNNING, started, null);
        assertThat(record(id).state()).isEqualTo(OperationState.RUNNING);
        assertThat(record(id).startedAt()).isEqualTo(started);
        assertThat(record(id).detail()).isEmpty();

        journal.operationState(id, OperationState.ROLLING_BACK, rolling, "bm02: exit 1");
        assertThat(record(id).state()).isEqualTo(OperationState.ROLLING_BACK);
        assertThat(record(id).startedAt()).isEqualTo(started);
        assertThat(record(id).endedAt()).isNull();
        assertThat(record(id).detail()).isEqualTo("bm02: exit 1");

        journal.operationState(id, OperationState.FAILED, ended, "failed at update config; rolled back");
        OperationRecord r = record(id);
        assertThat(r.state()).isEqualTo(OperationState.FAILED);
        assertThat(r.startedAt()).isEqualTo(started);
        assertThat(r.endedAt()).isEqualTo(ended);
        assertThat(r.detail()).isEqualTo("failed at update config; rolled back");
        assertThat(r.toOperation().state()).isEqualTo(OperationState.FAILED);
    }

    @Test
    void hostRunsIncludingRollbackRuns() {
        OperationId id = create(OperationState.RUNNING);
        journal.hostStarted(id, 0, "update config", "bm01", false, T0);
        journal.hostStarted(id, 0, "update config", "bm02", false, T0.plusMillis(1));
        journal.hostFinished(id, 0, false, StepResult.failed("bm02", 1, "exit 1", "merge conflict"),
                T0.plusMillis(500));
        journal.hostFinished(id, 0, false, StepResult.succeeded("bm01", 0, "ok"), T0.plusMillis(700));
        journal.hostStarted(id, 1, "reload", null, false, T0.plusSeconds(1));
        journal.hostStarted(id, 0, "restore config", "bm01", true, T0.plusSeconds(2));
        journal.hostFinished(id, 0, true, StepResult.succeeded("bm01", 0, "restored"), T0.plusSeconds(3));

        List<HostRunRecord> runs = journal.hostRuns(id);
        assertThat(runs).containsExactly(
                new HostRunRecord(0, "update config", "bm01", false, T0, T0.plusMillis(700),
                        StepResult.succeeded("bm01", 0, "ok")),
                new HostRunRecord(0, "update config", "bm02", false, T0.plusMillis(1), T0.plusMillis(500),
                        StepResult.failed("bm02", 1, "exit 1", "merge conflict")),
                new HostRunRecord(1, "reload", null, false, T0.plusSeconds(1), null, null),
                new HostRunRecord(0, "restore config", "bm01", true, T0.plusSeconds(2), T0.plusSeconds(3),
                        StepResult.succeeded("bm01", 0, "restored")));
    }

    @Test
    void aHostThatNeverStartedIsRecordedWhenItFinishes() {
        OperationId id = create(OperationState.RUNNING);
        StepResult skipped = new StepResult(StepOutcome.SKIPPED, "bm02", null, "an earlier host failed", "");
        journal.hostFinished(id, 0, false, skipped, T0.plusSeconds(1));
        journal.hostFinished(id, 1, false, new StepResult(StepOutcome.CANCELLED, null, null, "cancelled", ""),
                T0.plusSeconds(2));

        assertThat(journal.hostRuns(id)).containsExactly(
                new HostRunRecord(0, "update config", "bm02", false, null, T0.plusSeconds(1), skipped),
                new HostRunRecord(1, "reload", null, false, null, T0.plusSeconds(2),
                        new StepResult(StepOutcome.CANCELLED, null, null, "cancelled", "")));
    }

    @Test
    void outputPagesBySequence() {
        OperationId id = create(OperationState.RUNNING);
        OperationId other = create(OperationState.RUNNING);
        for (int i = 1; i <= 25; i++) {
            OutputChannel stream = i % 5 == 0 ? OutputChannel.STDERR : OutputChannel.STDOUT;
            journal.output(id, i / 10, i % 2 == 0 ? "bm01" : null, stream, "line " + i, T0.plusMillis(i));
        }
        journal.output(other, 0, "bm09", OutputChannel.INFO, "HTTP 200", T0);

        List<OutputLine> first = journal.output(id, 0, 10);
        assertThat(first).hasSize(10);
        assertThat(first.get(0)).isEqualTo(new OutputLine(1, 0, null, OutputChannel.STDOUT, "line 1",
                T0.plusMillis(1)));
        assertThat(first.get(4)).isEqualTo(new OutputLine(5, 0, null, OutputChannel.STDERR, "line 5",
                T0.plusMillis(5)));
        List<OutputLine> second = journal.output(id, first.get(9).seq(), 10);
        assertThat(second).extracting(OutputLine::line).first().isEqualTo("line 11");
        assertThat(second.get(0).host()).isNull();
        assertThat(second.get(1)).isEqualTo(new OutputLine(12, 1, "bm01", OutputChannel.STDOUT, "line 12",
                T0.plusMillis(12)));
        List<OutputLine> last = journal.output(id, second.get(9).seq(), 10);
        assertThat(last).extracting(OutputLine::line).containsExactly("line 21", "line 22", "line 23", "line 24",
                "line 25");
        assertThat(journal.output(id, last.get(4).seq(), 10)).isEmpty();
        assertThat(journal.output(id, 3, 2)).extracting(OutputLine::line).containsExactly("line 4", "line 5");

        assertThat(journal.output(other, 0, 10)).containsExactly(
                new OutputLine(1, 0, "bm09", OutputChannel.INFO, "HTTP 200", T0));
    }

    @Test
    void outputKeepsUnicodeAndEmptyLines() {
        OperationId id = create(OperationState.RUNNING);
        journal.output(id, 0, "bm01", OutputChannel.STDOUT, "", T0);
        journal.output(id, 0, "bm01", OutputChannel.STDOUT, "Grüße ✓ 'quoted' \"x\" \t tab", T0);
        assertThat(journal.output(id, 0, 10)).extracting(OutputLine::line)
                .containsExactly("", "Grüße ✓ 'quoted' \"x\" \t tab");
    }

    @Test
    void aHundredThousandLinesAreServedInPages() {
        OperationId id = create(OperationState.RUNNING);
        int total = 100_000;
        long start = System.nanoTime();
        for (int i = 1; i <= total; i++) {
            journal.output(id, 0, "bm01", OutputChannel.STDOUT, "output line number " + i, T0.plusMillis(i));
        }
        journal.operationState(id, OperationState.SUCCEEDED, T0.plusSeconds(200), "done");
        long after = 0;
        int read = 0;
        int pages = 0;
        while (true) {
            List<OutputLine> page = journal.output(id, after, 1000);
            if (page.isEmpty()) {
                break;
            }
            assertThat(page.size()).isLessThanOrEqualTo(1000);
            for (OutputLine l : page) {
                read++;
                assertThat(l.seq()).isGreaterThan(after);
                assertThat(l.line()).isEqualTo("output line number " + read);
                after = l.seq();
            }
            pages++;
        }
        assertThat(read).isEqualTo(total);
        assertThat(pages).isEqualTo(100);
        assertThat(journal.output(id, 99_990, 1000)).hasSize(10);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void outputFromManyThreadsKeepsPerOperationOrder() throws Exception {
        List<OperationId> ids = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            ids.add(create(OperationState.RUNNING));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (OperationId id : ids) {
                futures.add(pool.submit(() -> {
                    for (int i = 1; i <= 300; i++) {
                        journal.output(id, 0, "h", OutputChannel.STDOUT, id + " " + i, T0);
                    }
                    journal.hostStarted(id, 1, "reload", null, false, T0);
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (OperationId id : ids) {
            List<OutputLine> lines = journal.output(id, 0, 1000);
            assertThat(lines).hasSize(300);
            for (int i = 0; i < 300; i++) {
                assertThat(lines.get(i).line()).isEqualTo(id + " " + (i + 1));
            }
            assertThat(lines).extracting(OutputLine::seq).isSorted().doesNotHaveDuplicates();
            assertThat(journal.hostRuns(id)).hasSize(1);
        }
    }

    @Test
    void approvalsRecordWhoAndWhen() {
        OperationId id = create(OperationState.PENDING_APPROVAL);
        Instant expires = T0.plus(Duration.ofMinutes(10));
        journal.approvalRequested(id, expires, T0);
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.APPROVED, BOB, null, T0.plusSeconds(30)));
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.DENIED, new Identity("zulip", "c@x.org"),
                "not during the freeze", T0.plusSeconds(40)));
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.EXPIRED, null, "", expires));

        assertThat(record(id).expiresAt()).isEqualTo(expires);
        assertThat(journal.approvals(id)).containsExactly(
                new ApprovalRecord(ApprovalRecord.Kind.REQUESTED, ALICE, null, T0),
                new ApprovalRecord(ApprovalRecord.Kind.APPROVED, BOB, null, T0.plusSeconds(30)),
                new ApprovalRecord(ApprovalRecord.Kind.DENIED, new Identity("zulip", "c@x.org"),
                        "not during the freeze", T0.plusSeconds(40)),
                new ApprovalRecord(ApprovalRecord.Kind.EXPIRED, null, "", expires));
    }

    @Test
    void aWithdrawnApprovalIsKeptWithItsKindAndNoLongerStands() {
        OperationId id = create(OperationState.PENDING_APPROVAL);
        journal.approvalRequested(id, T0.plus(Duration.ofMinutes(10)), T0);
        Identity carol = new Identity("matrix", "@carol:x.org");
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.APPROVED, BOB, "", T0.plusSeconds(10)));
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.APPROVED, carol, "", T0.plusSeconds(20)));
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.WITHDRAWN, BOB, "reaction removed",
                T0.plusSeconds(30)));

        assertThat(journal.approvals(id)).extracting(ApprovalRecord::kind).containsExactly(
                ApprovalRecord.Kind.REQUESTED, ApprovalRecord.Kind.APPROVED, ApprovalRecord.Kind.APPROVED,
                ApprovalRecord.Kind.WITHDRAWN);
        assertThat(journal.approvals(id).get(3).reason()).isEqualTo("reaction removed");
        assertThat(ApprovalRecord.standing(journal.approvals(id))).containsExactly(carol);
    }

    @Test
    void unfinishedHoldsOnlyNonTerminalOperations() {
        Map<OperationState, OperationId> byState = new LinkedHashMap<>();
        for (OperationState s : OperationState.values()) {
            byState.put(s, create(OperationState.QUEUED));
        }
        byState.forEach((s, id) -> journal.operationState(id, s, T0.plusSeconds(1), s.label()));

        assertThat(journal.unfinished()).extracting(OperationRecord::id).containsExactly(
                byState.get(OperationState.PENDING_APPROVAL), byState.get(OperationState.QUEUED),
                byState.get(OperationState.RUNNING), byState.get(OperationState.WAITING),
                byState.get(OperationState.ROLLING_BACK));
        assertThat(journal.unfinished()).extracting(OperationRecord::state).noneMatch(OperationState::isTerminal);
    }

    @Test
    void recentIsNewestFirstBelowTheGivenId() {
        List<OperationId> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(create(OperationState.QUEUED));
        }
        assertThat(journal.recent(3, Long.MAX_VALUE)).extracting(OperationRecord::id)
                .containsExactly(ids.get(6), ids.get(5), ids.get(4));
        assertThat(journal.recent(3, ids.get(4).value())).extracting(OperationRecord::id)
                .containsExactly(ids.get(3), ids.get(2), ids.get(1));
        assertThat(journal.recent(10, ids.get(1).value())).extracting(OperationRecord::id)
                .containsExactly(ids.get(0));
        assertThat(journal.recent(10, ids.get(0).value())).isEmpty();
        assertThat(journal.recent(0, Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void checkWritablePassesOnAHealthyJournal() {
        journal.checkWritable();
        OperationId id = create(OperationState.QUEUED);
        journal.checkWritable();
        assertThat(record(id).state()).isEqualTo(OperationState.QUEUED);
    }

    @Test
    void aFullDiskFailsWritesButNotReadsAndRecovers() {
        OperationId id = create(OperationState.RUNNING);
        journal.output(id, 0, "bm01", OutputChannel.STDOUT, "before", T0);

        simulateDiskFull(true);
        assertThatThrownBy(() -> journal.checkWritable()).isInstanceOf(JournalException.class)
                .hasMessageContaining("disk full");
        assertThatThrownBy(() -> {
            for (int i = 0; i < 20_000; i++) {
                journal.output(id, 0, "bm01", OutputChannel.STDOUT, "x".repeat(200) + i, T0);
            }
            journal.operationState(id, OperationState.SUCCEEDED, T0.plusSeconds(1), "done");
        }).isInstanceOf(JournalException.class).hasMessageContaining("disk full");
        assertThat(record(id).state()).isEqualTo(OperationState.RUNNING);
        assertThat(journal.output(id, 0, 1)).extracting(OutputLine::line).containsExactly("before");

        simulateDiskFull(false);
        journal.checkWritable();
        journal.operationState(id, OperationState.SUCCEEDED, T0.plusSeconds(2), "done");
        assertThat(record(id).state()).isEqualTo(OperationState.SUCCEEDED);
        assertThat(journal.output(id, 0, 1)).extracting(OutputLine::line).containsExactly("before");
        OperationId next = journal.nextOperationId();
        assertThat(next.value()).isGreaterThan(id.value());
    }
}
