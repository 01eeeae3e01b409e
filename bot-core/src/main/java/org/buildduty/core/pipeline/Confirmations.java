package org.buildduty.core.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.UserFacingException;
import org.buildduty.core.approval.ApprovalGate;
import org.buildduty.core.approval.ApprovalWording;
import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.JournalHistory;
import org.buildduty.core.journal.JournalWriter;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.progress.ProgressSink;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.runner.Runner;
import org.buildduty.core.time.Ticker;
import org.buildduty.core.time.Times;

/**
 * Operations paused at a {@code confirm} step. Nothing of such an operation is in flight: the runner ended its drive
 * at the step ({@link Runner.Paused}), the confirmation is a request in its own {@link ApprovalGate} under the step's
 * policy (distinct people, the role, self-approval, expiry), and the journal holds all it needs to go on after a
 * restart: the state {@link OperationState#WAITING}, the request with its step and expiry, the approvals given, and
 * the completed steps' host runs with the values they kept.
 *
 * <p>Enough approvals: the next step runs. A denial or the expiry: the operation fails at the step and its completed
 * steps roll back; a cancel ends it cancelled the same way. Before it goes on, the state {@code RUNNING} is journaled
 * with the reason, so a bot killed during what follows reports it interrupted rather than waiting again.
 */
final class Confirmations {
    private static final Logger LOG = LoggerFactory.getLogger(Confirmations.class);

    /** Launches a run of an operation and keeps it live until it ends or pauses again. */
    interface Launcher {
        void launch(Operation op, String what, Supplier<CompletableFuture<OperationState>> run);
    }

    private final OperationRooms rooms;
    private final Executor afterReply;
    private final String prefix;
    private final Redactor secrets;
    private final JournalWriter journal;
    private final JournalHistory history;
    private final Runner runner;
    private final ApprovalGate gate;
    private final Ticker ticker;
    private final Function<Operation, ProgressSink> sinks;
    private final Launcher launcher;
    private final Map<OperationId, Runner.Paused> waiting = new ConcurrentHashMap<>();

    /**
     * @param gate a gate of its own: its requests are confirmations only
     * @param sinks where a resumed run's progress goes
     */
    Confirmations(OperationRooms rooms, Executor afterReply, String prefix, Redactor secrets, JournalWriter journal,
            JournalHistory history, Runner runner, ApprovalGate gate, Ticker ticker,
            Function<Operation, ProgressSink> sinks, Launcher launcher) {
        this.rooms = rooms;
        this.afterReply = afterReply;
        this.prefix = prefix;
        this.secrets = secrets;
        this.journal = journal;
        this.history = history;
        this.runner = runner;
        this.gate = gate;
        this.ticker = ticker;
        this.sinks = sinks;
        this.launcher = launcher;
    }

    /** What a run of {@code op} calls when it pauses at a confirm step. */
    Consumer<Runner.Paused> onPause(Operation op) {
        return at -> paused(op, at);
    }

    /**
     * Journals the wait (the request with its expiry, then the state) and tells the room how to go on. A wait the
     * journal refuses (a full disk) would not survive a restart: the operation fails at the step instead.
     */
    private synchronized void paused(Operation op, Runner.Paused at) {
        PendingApproval p;
        String message;
        try {
            p = gate.confirm(op, at.step());
            message = secrets.redact(p.confirmStep().confirmMessage());
            journal.operationState(op.id(), OperationState.WAITING, ticker.now(), secrets.redact(
                    ApprovalWording.where(p) + (message.isBlank() ? "" : ": " + message) + "; expires "
                            + Times.clock(p.expiresAt())));
        } catch (RuntimeException e) {
            LOG.error("{}: the wait at step {} could not be journaled; it fails there", op.title(), at.step() + 1, e);
            gate.withdraw(op.id());
            launcher.launch(op, "the run", () -> runner.resume(op, Runner.Resume.fail(at,
                    "the journal refused to record the wait"), sinks.apply(op), onPause(op)));
            return;
        }
        waiting.put(op.id(), at);
        String line = ApprovalWording.confirm(p, prefix, message);
        rooms.asking(line, op.id(), at.step());
        rooms.reply(op.origin(), List.of(line));
    }

    /** True when {@code id} waits at a confirm step. */
    boolean waits(OperationId id) {
        return waiting.containsKey(id);
    }

    /** The gate of the confirmations (reactions count and withdraw approvals there too). */
    ApprovalGate gate() {
        return gate;
    }

    /** The confirmation {@code id} waits for, if it waits at a confirm step. */
    Optional<PendingApproval> pending(OperationId id) {
        return gate.pending(id);
    }

    /** Counts an approval; the last one needed resumes the operation with its next step. */
    synchronized String approve(OperationId id, Identity who) {
        PendingApproval p = live(id);
        ApprovalGate.Result r = gate.approve(id, who);
        if (r instanceof ApprovalGate.Counted counted) {
            return ApprovalWording.counted(counted.pending(), who);
        }
        List<Identity> by = ((ApprovalGate.Approved) r).approvedBy();
        String line = ApprovalWording.confirmed(p, by);
        goOn(p, Runner.Resume.proceed(waiting.remove(id)), line, afterReply);
        return line;
    }

    /** A denial: the operation fails at the step and its completed steps roll back. */
    synchronized String deny(OperationId id, Identity who, String reason) {
        PendingApproval p = live(id);
        gate.deny(id, who, reason);
        String why = ApprovalWording.confirmDenied(who, reason);
        goOn(p, Runner.Resume.fail(waiting.remove(id), why), why + " at " + ApprovalWording.where(p), afterReply);
        return ApprovalWording.stopped(p, who, reason);
    }

    /** A cancel while it waits: it ends cancelled and its completed steps roll back. */
    synchronized String cancel(Operation op, Identity who) {
        PendingApproval p = gate.pending(op.id()).orElseThrow(() -> new UserFacingException(op.title() + " is "
                + op.state().label() + "; nothing to cancel"));
        gate.withdraw(op.id());
        String by = who.shownTo(op.origin().connectorId());
        goOn(p, Runner.Resume.cancel(waiting.remove(op.id()), by), "cancelled by " + by + " at "
                + ApprovalWording.where(p), afterReply);
        return ApprovalWording.cancelledWaiting(p, who);
    }

    /** Fails every operation whose confirmation expired; their completed steps roll back. */
    synchronized void expireDue() {
        for (PendingApproval p : gate.expireDue()) {
            Runner.Paused at = waiting.remove(p.operation().id());
            if (at != null) {
                String why = ApprovalWording.confirmExpired(p);
                goOn(p, Runner.Resume.fail(at, why), why + " at " + ApprovalWording.where(p), Runnable::run);
            }
        }
    }

    /** The request, unexpired; one that has expired is failed now and refused with one line. */
    private PendingApproval live(OperationId id) {
        PendingApproval p = gate.pending(id).orElseThrow(() -> new UserFacingException(id
                + " is not waiting for approval"));
        if (!ticker.now().isBefore(p.expiresAt())) {
            expireDue();
            throw new UserFacingException(p.operation().title() + " was " + ApprovalWording.confirmExpired(p) + " at "
                    + ApprovalWording.where(p) + "; it fails there and its completed steps roll back");
        }
        return p;
    }

    /** Journals that the operation goes on (and why), then resumes it on {@code where}. */
    private void goOn(PendingApproval p, Runner.Resume how, String detail, Executor where) {
        Operation op = p.operation();
        journal.operationState(op.id(), OperationState.RUNNING, ticker.now(), secrets.redact(detail));
        where.execute(() -> launcher.launch(op, "the run", () -> runner.resume(op, how, sinks.apply(op),
                onPause(op))));
    }

    /**
     * After a restart: restores an operation journaled {@link OperationState#WAITING} with its confirmation's step,
     * original expiry and the approvals already given, and the completed steps with their kept values from its host
     * runs. Empty when the journal does not say which step it waits at (it is then reported interrupted).
     */
    synchronized Optional<Operation> recover(OperationRecord rec) {
        List<StepSpec> steps = rec.plan().steps();
        List<ApprovalRecord> events = history.approvals(rec.id());
        int step = ApprovalRecord.START;
        int from = 0;
        for (int i = 0; i < events.size(); i++) {
            ApprovalRecord e = events.get(i);
            if (e.kind() == ApprovalRecord.Kind.REQUESTED && e.confirm()) {
                step = e.step();
                from = i + 1;
            }
        }
        if (step == ApprovalRecord.START || step >= steps.size() || !steps.get(step).isConfirm()
                || rec.expiresAt() == null) {
            return Optional.empty();
        }
        List<Identity> approvedBy = ApprovalRecord.standing(events.subList(from, events.size()), step);
        SortedMap<Integer, List<StepResult>> completed = new TreeMap<>();
        for (HostRunRecord r : history.hostRuns(rec.id())) {
            if (!r.rollback() && r.result() != null && r.stepIndex() < step) {
                completed.computeIfAbsent(r.stepIndex(), k -> new ArrayList<>()).add(r.result());
            }
        }
        Map<String, String> vars = new LinkedHashMap<>();
        completed.values().forEach(results -> results.stream()
                .filter(r -> r.outcome() == StepOutcome.SUCCEEDED).forEach(r -> vars.putAll(r.kept())));
        Operation op = rec.toOperation();
        gate.restore(op, rec.expiresAt(), approvedBy, step);
        waiting.put(op.id(), new Runner.Paused(step, completed, vars));
        LOG.info("{} still waits at step {} \"{}\" (expires {})", op.title(), step + 1, steps.get(step).name(),
                rec.expiresAt());
        return Optional.of(op);
    }
}
