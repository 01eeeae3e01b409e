package org.buildduty.core.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.UserFacingException;
import org.buildduty.core.approval.ApprovalGate;
import org.buildduty.core.approval.ApprovalWording;
import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.ApprovalRecheck;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.JournalHistory;
import org.buildduty.core.journal.JournalSink;
import org.buildduty.core.journal.JournalWriter;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.metrics.MetricsSink;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnRestart;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.CompositeSink;
import org.buildduty.core.progress.OperationReporter;
import org.buildduty.core.progress.ProgressSink;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.time.Ticker;
import org.buildduty.core.time.Times;

/**
 * The life of operations between chat and runner: creation with a persisted id, approval, start, cancel, expiry,
 * and recovery after a restart. Every state change is journaled before it is announced.
 *
 * <p>Chat cannot create without bound: beyond {@code maxLive} operations pending approval or running, or beyond
 * {@code maxPending} requests of one person waiting for approval, a request is refused in one line before anything is
 * created or journaled.
 */
final class Operations {
    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);

    private final OperationRooms rooms;
    private final Executor afterReply;
    private final Settings settings;
    private final JournalWriter journal;
    private final JournalHistory history;
    private final Runner runner;
    private final ApprovalGate gate;
    private final Ticker ticker;
    private final RoleResolver roles;
    private final int maxLive;
    private final int maxPending;
    private final boolean privateApprovals;
    private final Map<OperationId, Operation> live = new ConcurrentHashMap<>();
    private final Exclusions exclusions = new Exclusions();
    /** Set at shutdown: queued operations stay queued (in the journal too) for the next start. */
    private volatile boolean closing;
    private final Confirmations confirmations;

    /**
     * What operations show and whom they ask, fixed when the engine is built: the command prefix in hints, the
     * commands (for their last check before an approved plan runs), the redaction of parameters, the meters, and
     * the web page's link to an operation.
     */
    record Settings(String prefix, CommandRegistry commands, Redactor secrets, BotMetrics metrics,
            Function<OperationId, String> link) {
    }

    /**
     * @param rooms where answers, threads and progress go
     * @param afterReply runs a task after the current message's answer was queued (in the engine's turn)
     * @param journal where every state change is written before it is announced
     * @param history what {@link #recover()} reads after a restart: unfinished operations, their approvals and runs
     */
    Operations(OperationRooms rooms, Executor afterReply, Settings settings, JournalWriter journal,
            JournalHistory history, Runner runner, ApprovalGate gate, Ticker ticker, RoleResolver roles, int maxLive,
            int maxPending, boolean privateApprovals) {
        this.rooms = rooms;
        this.afterReply = afterReply;
        this.settings = settings;
        this.journal = journal;
        this.history = history;
        this.runner = runner;
        this.gate = gate;
        this.ticker = ticker;
        this.roles = roles;
        this.maxLive = maxLive;
        this.maxPending = maxPending;
        this.privateApprovals = privateApprovals;
        this.confirmations = new Confirmations(rooms, afterReply, settings.prefix(), settings.secrets(), journal,
                history, runner, new ApprovalGate(journal, ticker, roles, settings.metrics()), ticker, this::sinks,
                this::track);
    }

    /** Creates an operation from a plan; asks for approval or starts it. Returns the answer lines. */
    List<String> create(OperationPlan plan, ChatMessage m) {
        checkLimits(plan, m.sender());
        checkRefusal(plan);
        return create(plan, m.sender(), m.room(), m.messageId()).lines();
    }

    /**
     * Creates an operation from a plan on behalf of {@code requester}, as if asked in {@code room} (a background
     * service: a maintenance window's runbook); the same limits, exclusion, approval and journal apply.
     */
    BotApi.Submitted submit(OperationPlan plan, Identity requester, ChatAddress room) {
        checkLimits(plan, requester);
        checkRefusal(plan);
        return create(plan, requester, room, null);
    }

    /** Refuses, before anything is created, a request that does not queue while another holds what it needs. */
    private void checkRefusal(OperationPlan plan) {
        if (!plan.exclusion().refuse()) {
            return;
        }
        List<Exclusions.Entry> in = exclusions.blockers(null, Exclusion.keys(plan));
        if (!in.isEmpty()) {
            throw new UserFacingException(ExclusionWording.refused(plan, in, ticker.now()));
        }
    }

    /** Refuses, before anything is created, a request beyond the live or the per-person pending limit. */
    private void checkLimits(OperationPlan plan, Identity requester) {
        String p = settings.prefix();
        if (live.size() >= maxLive) {
            throw new UserFacingException("refused: " + live.size() + " operations are live "
                    + "(bot.max_live_operations is " + maxLive + "); cancel one (" + p + "cancel <id>; " + p
                    + "ops lists them) or wait for one to end");
        }
        if (!plan.approval().isRequired()) {
            return;
        }
        String person = roles.person(requester);
        long mine = gate.pending().stream().filter(a -> roles.person(a.operation().requester()).equals(person)).count();
        if (mine >= maxPending) {
            throw new UserFacingException("refused: you have " + mine + " requests waiting for approval "
                    + "(bot.max_pending_approvals is " + maxPending + "); cancel one (" + p + "cancel <id>) or wait "
                    + "until one is approved, denied or expires");
        }
    }

    /**
     * Where a chat has threads (a Matrix thread, a Zulip topic), the operation gets its own, opened here with a
     * first line naming it; its progress, status edits and final lines go there, while the answer goes to the room
     * of the request. Elsewhere the operation reports in the room itself.
     */
    private BotApi.Submitted create(OperationPlan plan, Identity requester, ChatAddress room, String requestId) {
        journal.checkWritable();
        Instant now = ticker.now();
        OperationId id = journal.nextOperationId();
        boolean needsApproval = plan.approval().isRequired();
        ChatAddress origin = room;
        if (rooms.threaded(room)) {
            String title = plan.kind() + " " + id;
            origin = rooms.openThread(room, title, title + " requested by " + requester.principal() + params(plan),
                    requestId);
        }
        Operation op = new Operation(id, plan, requester, origin, now,
                needsApproval ? OperationState.PENDING_APPROVAL : OperationState.QUEUED);
        journal.operationCreated(op);
        live.put(id, op);
        if (!needsApproval) {
            List<Exclusions.Entry> in = exclusions.holdOrQueue(op, now);
            if (!in.isEmpty()) {
                return new BotApi.Submitted(id, List.of(queued(op, in, now) + params(plan) + steps(plan)));
            }
            afterReply.execute(() -> start(op));
            return new BotApi.Submitted(id, List.of(op.title() + " started" + params(plan) + steps(plan)));
        }
        PendingApproval p = gate.request(op);
        String request = ApprovalWording.request(p, settings.prefix(), params(plan), steps(plan));
        rooms.asking(request, id, ApprovalRecord.START);
        List<String> lines = new ArrayList<>();
        lines.add(request);
        List<Exclusions.Entry> in = exclusions.blockers(op);
        if (!in.isEmpty()) {
            lines.add(op.title() + (plan.exclusion().refuse() ? " will be refused if " : " will queue behind ")
                    + ExclusionWording.blockers(plan, in, now)
                    + (plan.exclusion().refuse() ? " has not ended when it is approved" : " once approved"));
        }
        return new BotApi.Submitted(id, lines);
    }

    /**
     * Journals that an operation waits for what others hold, and says so: {@code reconfig #18 queued behind #17
     * (reconfig by alice, running 12m; holds bm01..bm50)}.
     */
    private String queued(Operation op, List<Exclusions.Entry> in, Instant now) {
        String behind = ExclusionWording.behind(op.plan(), in, now);
        journal.operationState(op.id(), OperationState.QUEUED, now, behind);
        op.transition(OperationState.QUEUED, now);
        LOG.info("{} {}", op.title(), behind);
        return op.title() + " " + behind;
    }

    /**
     * Refuses an approval or denial typed outside the room of the request (its connector and room; any thread of it
     * counts), unless private approvals are allowed. The room is the operation's journaled origin, so the rule holds
     * after a restart. An operation that is not pending is left to the gate's own answer.
     */
    void checkApprovalRoom(OperationId id, ChatAddress where, String verb) {
        if (privateApprovals) {
            return;
        }
        Optional<PendingApproval> p = gate.pending(id).or(() -> confirmations.pending(id));
        if (p.isEmpty()) {
            return;
        }
        ChatAddress origin = p.get().operation().origin();
        if (!origin.connectorId().equals(where.connectorId()) || !origin.room().equals(where.room())) {
            throw new UserFacingException("not counted: " + verb + " " + p.get().operation().title() + " in "
                    + origin.connectorId() + ":" + origin.room() + ", the room it was requested in (approvals are"
                    + " seen by the team; bot.private_approvals is off)");
        }
    }

    String approve(OperationId id, Identity who) {
        if (confirmations.waits(id)) {
            return confirmations.approve(id, who);
        }
        ApprovalGate.Result r = gate.approve(id, who);
        if (r instanceof ApprovalGate.Counted counted) {
            return ApprovalWording.counted(counted.pending(), who);
        }
        ApprovalGate.Approved approved = (ApprovalGate.Approved) r;
        Operation op = approved.operation();
        String approvedBy = ApprovalWording.approvedBy(op, approved.approvedBy());
        Optional<ApprovalRecheck.Replan> replan = recheck(op);
        if (replan.isPresent()) {
            return String.join("\n", notRun(op, approvedBy, replan.get()));
        }
        Instant now = ticker.now();
        if (op.plan().exclusion().refuse()) {
            List<Exclusions.Entry> in = exclusions.blockers(op);
            if (!in.isEmpty()) {
                String why = ExclusionWording.blockers(op.plan(), in, now) + " holds what it needs (on_conflict: "
                        + "refuse)";
                return String.join("\n", notRun(op, approvedBy, new ApprovalRecheck.Replan(why, null)));
            }
        }
        List<Exclusions.Entry> in = exclusions.holdOrQueue(op, now);
        if (!in.isEmpty()) {
            return approvedBy + "; " + queued(op, in, now);
        }
        afterReply.execute(() -> start(op));
        return ApprovalWording.running(approvedBy);
    }

    /** The command's last look at the approved plan; a failed check counts as a reason not to run. */
    private Optional<ApprovalRecheck.Replan> recheck(Operation op) {
        Optional<ApprovalRecheck> check = settings.commands().get(op.plan().kind()).flatMap(CommandSpec::recheck);
        if (check.isEmpty()) {
            return Optional.empty();
        }
        try {
            return check.get().recheck(op.plan());
        } catch (UserFacingException e) {
            return Optional.of(new ApprovalRecheck.Replan("cannot check it before running: " + e.getMessage(), null));
        } catch (RuntimeException e) {
            LOG.error("the approval recheck of {} failed", op.title(), e);
            return Optional.of(new ApprovalRecheck.Replan("cannot check it before running (internal error)", null));
        }
    }

    /** Ends an approved operation whose premise moved, and asks approval for the fresh plan, if any. */
    private List<String> notRun(Operation op, String approvedBy, ApprovalRecheck.Replan replan) {
        Instant now = ticker.now();
        journal.operationState(op.id(), OperationState.CANCELLED, now, ApprovalWording.notRunDetail(replan.reason()));
        op.transition(OperationState.CANCELLED, now);
        live.remove(op.id());
        List<String> lines = new ArrayList<>();
        lines.add(ApprovalWording.notRun(approvedBy, replan.reason()));
        if (replan.plan() != null) {
            lines.add(ApprovalWording.askingAgain());
            // the fresh request replaces the operation just ended, so no limit applies to it
            lines.addAll(create(replan.plan(), op.requester(), op.origin(), null).lines());
        }
        return lines;
    }

    /** Denies a pending request: it leaves the gate and the live operations, and will not run. */
    String deny(OperationId id, Identity who, String reason) {
        if (confirmations.waits(id)) {
            return confirmations.deny(id, who, reason);
        }
        Operation op = gate.deny(id, who, reason);
        live.remove(op.id());
        return ApprovalWording.denied(op, who, reason);
    }

    String cancel(Operation op, Identity who) {
        if (confirmations.waits(op.id())) {
            return confirmations.cancel(op, who);
        }
        if (exclusions.dequeue(op.id())) {
            Instant now = ticker.now();
            journal.operationState(op.id(), OperationState.CANCELLED, now, "cancelled by "
                    + who.shownTo(op.origin().connectorId()) + " while queued");
            op.transition(OperationState.CANCELLED, now);
            live.remove(op.id());
            // an operation queued behind this one may go now
            afterReply.execute(this::startReady);
            return op.title() + " cancelled by " + who.principal() + " while queued; it never ran";
        }
        if (gate.withdraw(op.id())) {
            Instant now = ticker.now();
            journal.operationState(op.id(), OperationState.CANCELLED, now, ApprovalWording.withdrawnDetail(op, who));
            op.transition(OperationState.CANCELLED, now);
            live.remove(op.id());
            return ApprovalWording.withdrawn(op, who);
        }
        if (runner.running(op.id()).isPresent()) {
            // cancelled after this answer is queued, so the room reads the answer before the rollback's lines
            afterReply.execute(() -> runner.cancel(op.id(), who.shownTo(op.origin().connectorId())));
            return "cancelling " + op.title() + ": running steps stop, completed steps roll back";
        }
        throw new UserFacingException(op.title() + " is " + op.state().label() + "; nothing to cancel");
    }

    /** Where an operation's progress goes: the journal, the meters and its room. */
    private ProgressSink sinks(Operation op) {
        List<ProgressSink> sinks = new ArrayList<>();
        sinks.add(new JournalSink(journal, ticker, settings.secrets()));
        sinks.add(new MetricsSink(settings.metrics(), ticker));
        rooms.publisher(op.origin()).ifPresent(p -> sinks.add(new OperationReporter(p, ticker, settings.link())));
        return new CompositeSink(sinks);
    }

    /**
     * The host runs of an interrupted operation whose rollback is still owed, per step: forward runs that ended,
     * less those whose rollback already succeeded before the bot died.
     */
    private static SortedMap<Integer, List<StepResult>> toRollBack(List<HostRunRecord> runs) {
        Set<HostStep> undone = new HashSet<>();
        for (HostRunRecord u : runs) {
            if (u.rollback() && u.result() != null && u.result().outcome() == StepOutcome.SUCCEEDED) {
                undone.add(new HostStep(u.stepIndex(), u.host()));
            }
        }
        SortedMap<Integer, List<StepResult>> out = new TreeMap<>();
        for (HostRunRecord r : runs) {
            if (!r.rollback() && r.result() != null && !undone.contains(new HostStep(r.stepIndex(), r.host()))) {
                out.computeIfAbsent(r.stepIndex(), k -> new ArrayList<>()).add(r.result());
            }
        }
        return out;
    }

    /** One step on one host ({@code host} null for a step without hosts). */
    private record HostStep(int step, String host) {
    }

    /**
     * Makes {@code op} live, launches its run, keeps it live until the run ends, and logs an error it ends with. When
     * it has ended, what it held is released and the operations queued behind it start.
     */
    private void track(Operation op, String what, Supplier<CompletableFuture<OperationState>> launch) {
        live.put(op.id(), op);
        CompletableFuture<OperationState> run;
        try {
            run = launch.get();
        } catch (RuntimeException e) {
            live.remove(op.id());
            exclusions.release(op.id());
            throw e;
        }
        run.whenComplete((state, err) -> {
            if (err != null) {
                LOG.error("{}: {} ended with an error", op.title(), what, err);
            }
            if (err != null || state == null || state.isTerminal()) {
                live.remove(op.id());
                exclusions.release(op.id());
                startReady();
            }
        });
    }

    /** Starts, in request order, the queued operations whose locks are free now, each with one line in its room. */
    private void startReady() {
        if (closing) {
            return;
        }
        Instant now = ticker.now();
        for (Exclusions.Entry e : exclusions.startable(now)) {
            Operation op = e.op();
            if (op.state().isTerminal()) {
                exclusions.release(op.id());
                continue;
            }
            String line = ExclusionWording.starting(op, e.since(), now);
            LOG.info("{}", line);
            rooms.reply(op.origin(), List.of(line));
            try {
                start(op);
            } catch (RuntimeException ex) {
                LOG.error("{} could not start", op.title(), ex);
            }
        }
    }

    /** What a queued operation waits for, as {@code ops} shows it; empty when it does not wait. */
    Optional<String> waitingFor(OperationId id) {
        List<Exclusions.Entry> in = exclusions.waitsFor(id);
        Optional<Instant> since = exclusions.waitingSince(id);
        if (since.isEmpty()) {
            return Optional.empty();
        }
        Operation op = live.get(id);
        if (op == null) {
            return Optional.empty();
        }
        Instant now = ticker.now();
        String queued = "queued " + Times.elapsed(Duration.between(since.get(), now));
        return Optional.of(in.isEmpty() ? queued + ", starting" : queued + " behind "
                + ExclusionWording.blockers(op.plan(), in, now));
    }

    void start(Operation op) {
        track(op, "the run", () -> runner.submit(op, sinks(op), confirmations.onPause(op)));
    }

    void expireDue() {
        confirmations.expireDue();
        for (PendingApproval p : gate.expireDue()) {
            Operation op = p.operation();
            live.remove(op.id());
            rooms.reply(op.origin(), List.of(ApprovalWording.expired(p)));
        }
    }

    /**
     * After a restart: operations that were running are marked interrupted and reported with what had completed
     * (never re-run); one whose runbook asks for it rolls back first, and holds its locks until then. Pending
     * approvals are restored with their original expiry, and so are operations waiting at a confirm step (nothing of
     * them was in flight; they keep holding their locks). Queued operations never started: they queue again in
     * request order and start once what they wait for is free.
     */
    void recover(String cause) {
        for (OperationRecord rec : history.unfinished()) {
            Operation op = rec.toOperation();
            if (rec.state() == OperationState.QUEUED) {
                Instant since = rec.createdAt();
                exclusions.queue(op, since);
                live.put(op.id(), op);
                LOG.info("{} is still queued after the restart", op.title());
                continue;
            }
            if (rec.state() == OperationState.WAITING) {
                Optional<Operation> waiting = confirmations.recover(rec);
                if (waiting.isPresent()) {
                    live.put(op.id(), waiting.get());
                    exclusions.hold(waiting.get(), ticker.now());
                    continue;
                }
            }
            if (rec.state() == OperationState.PENDING_APPROVAL) {
                List<Identity> approvedBy = ApprovalRecord.standing(history.approvals(rec.id()), ApprovalRecord.START);
                Instant expires = rec.expiresAt() == null ? ticker.now() : rec.expiresAt();
                gate.restore(op, expires, approvedBy);
                live.put(op.id(), op);
                LOG.info("{} still waits for approval (expires {})", op.title(), expires);
                continue;
            }
            List<HostRunRecord> runs = history.hostRuns(rec.id());
            String done = completed(rec, runs);
            if (rec.plan().onRestart() == OnRestart.ROLLBACK) {
                SortedMap<Integer, List<StepResult>> toUndo = toRollBack(runs);
                if (!toUndo.isEmpty()) {
                    String why = cause + " while it was " + rec.state().label() + "; completed: " + done
                            + "; rolling back as its runbook asks (on_restart: rollback); not re-run";
                    LOG.warn("{} interrupted: {}", op.title(), why);
                    rooms.reply(rec.origin(), List.of(op.title() + " interrupted: " + why));
                    exclusions.hold(op, ticker.now());
                    track(op, "the rollback after a restart", () -> runner.rollBackAfterRestart(op, toUndo, sinks(op)));
                    continue;
                }
            }
            String detail = cause + " while it was " + rec.state().label() + "; completed: " + done
                    + "; not re-run — request it again if needed";
            Instant now = ticker.now();
            journal.operationState(rec.id(), OperationState.INTERRUPTED, now, detail);
            LOG.warn("{} interrupted: {}", op.title(), detail);
            rooms.reply(rec.origin(), List.of(op.title() + " interrupted: " + detail));
        }
        startReady();
    }

    /** What had completed before the bot died, per step, from the operation's host runs. */
    private static String completed(OperationRecord rec, List<HostRunRecord> runs) {
        Map<Integer, int[]> perStep = new TreeMap<>();
        // a step with retries has a host run per attempt: the last one of a host is its result
        Map<String, HostRunRecord> last = new LinkedHashMap<>();
        for (HostRunRecord r : runs) {
            if (!r.rollback()) {
                last.put(r.stepIndex() + " " + r.host(), r);
            }
        }
        for (HostRunRecord r : last.values()) {
            int[] c = perStep.computeIfAbsent(r.stepIndex(), k -> new int[3]);
            if (r.result() == null) {
                c[2]++;
            } else if (r.result().outcome() == StepOutcome.SUCCEEDED) {
                c[0]++;
            } else {
                c[1]++;
            }
        }
        if (perStep.isEmpty()) {
            return "nothing";
        }
        List<String> parts = new ArrayList<>();
        List<StepSpec> steps = rec.plan().steps();
        perStep.forEach((i, c) -> {
            String name = i < steps.size() ? steps.get(i).name() : "step " + (i + 1);
            int width = i < steps.size() ? steps.get(i).width() : c[0] + c[1] + c[2];
            parts.add("step " + (i + 1) + " " + name + " (" + c[0] + "/" + width + " ok"
                    + (c[1] > 0 ? ", " + c[1] + " failed" : "") + (c[2] > 0 ? ", " + c[2] + " cut off" : "") + ")");
        });
        return String.join(", ", parts);
    }

    void shutdown() {
        closing = true;
        runner.close();
    }

    /** The confirmation an operation waiting at a confirm step waits for, if it does. */
    /** The gate where {@code id} waits for approval now: its start approval's, or its confirm step's; empty if none. */
    Optional<ApprovalGate> gateOf(OperationId id) {
        if (gate.pending(id).isPresent()) {
            return Optional.of(gate);
        }
        return confirmations.pending(id).isPresent() ? Optional.of(confirmations.gate()) : Optional.empty();
    }

    Optional<PendingApproval> confirmation(OperationId id) {
        return confirmations.pending(id);
    }

    Optional<Operation> find(OperationId id) {
        return Optional.ofNullable(live.get(id));
    }

    Collection<Operation> active() {
        return List.copyOf(live.values());
    }

    /** The parameters as the prompt shows them, each value redacted before it is quoted. */
    private String params(OperationPlan plan) {
        String s = plan.paramSummary(settings.secrets()::redact);
        return s.isEmpty() ? "" : ": " + s;
    }

    private static String steps(OperationPlan plan) {
        List<String> parts = new ArrayList<>();
        int i = 1;
        for (StepSpec s : plan.steps()) {
            parts.add(i++ + ") " + s.name() + (s.hosts().isEmpty() ? "" : " on " + s.hosts().size()));
        }
        return parts.isEmpty() ? "" : " · steps: " + String.join(" ", parts);
    }
}
