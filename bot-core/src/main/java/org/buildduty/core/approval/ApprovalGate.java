package org.buildduty.core.approval;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.buildduty.core.NotAllowedException;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.JournalWriter;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.time.Ticker;

/**
 * Holds operations until enough distinct people with the policy's role approve them, or someone denies them, or
 * they expire. Every request, approval, denial and expiry is journaled before the caller announces it.
 *
 * <p>Approvers are counted by person ({@link RoleResolver#samePerson}): a second identity of someone who already
 * approved does not count again, and the requester's approval, under any of their identities, counts only when the
 * policy allows self-approval. On a hostmask connector the approver is the role entry they matched, so a new nick or
 * ident changes nothing. An expired request never runs: an approval arriving after the expiry instant expires the
 * request instead.
 *
 * <p>The same rules hold for the confirmation a {@code confirm} step waits for ({@link #confirm}), under the step's
 * policy; its events are journaled with the step's index.
 */
public final class ApprovalGate {
    private final JournalWriter journal;
    private final Ticker ticker;
    private final RoleResolver roles;
    private final BotMetrics metrics;
    private final Map<OperationId, PendingApproval> pending = new LinkedHashMap<>();

    public ApprovalGate(JournalWriter journal, Ticker ticker, RoleResolver roles) {
        this(journal, ticker, roles, BotMetrics.none());
    }

    /** A gate that counts requests and their outcomes in {@code metrics}. */
    public ApprovalGate(JournalWriter journal, Ticker ticker, RoleResolver roles, BotMetrics metrics) {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.roles = Objects.requireNonNull(roles, "roles");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** What an approval did. */
    public sealed interface Result permits Counted, Approved {
    }

    /** The approval counted; more are needed. */
    public record Counted(PendingApproval pending) implements Result {
    }

    /** The last approval arrived: the operation is approved (state {@code QUEUED}) and may run. */
    public record Approved(Operation operation, List<Identity> approvedBy) implements Result {
    }

    /** Puts an operation (state {@code PENDING_APPROVAL}) under approval; returns the pending request. */
    public synchronized PendingApproval request(Operation op) {
        ApprovalPolicy policy = op.plan().approval();
        if (!policy.isRequired()) {
            throw new IllegalArgumentException(op.title() + " needs no approval");
        }
        Instant now = ticker.now();
        Instant expires = now.plus(policy.timeout());
        journal.approvalRequested(op.id(), expires, now);
        metrics.approval(ApprovalRecord.Kind.REQUESTED);
        PendingApproval p = new PendingApproval(op, expires, List.of());
        pending.put(op.id(), p);
        return p;
    }

    /**
     * Puts an operation paused at its {@code confirm} step {@code step} under that step's policy; returns the pending
     * request. The request and its expiry are journaled with the step. When enough people approve, the gate only
     * records it: the caller resumes the operation; a denial or expiry is journaled as an approval event and the
     * caller fails the operation (the gate changes no state of a confirmation's operation).
     */
    public synchronized PendingApproval confirm(Operation op, int step) {
        Instant now = ticker.now();
        Instant expires = now.plus(op.plan().steps().get(step).confirmPolicy().timeout());
        journal.approvalRequested(op.id(), step, expires, now);
        metrics.approval(ApprovalRecord.Kind.REQUESTED);
        PendingApproval out = new PendingApproval(op, expires, List.of(), step);
        pending.put(op.id(), out);
        return out;
    }

    /**
     * Re-registers a request read back from the journal after a restart, with its original expiry. The journaled
     * approvals are counted again by person under the current configuration: a person's second identity and the
     * requester (without self-approval) do not count.
     */
    public synchronized void restore(Operation op, Instant expiresAt, List<Identity> approvedBy) {
        restore(op, expiresAt, approvedBy, ApprovalRecord.START);
    }

    /** The same for the approval {@code step} (a confirm step's index, or {@link ApprovalRecord#START}). */
    public synchronized void restore(Operation op, Instant expiresAt, List<Identity> approvedBy, int step) {
        ApprovalPolicy policy = new PendingApproval(op, expiresAt, List.of(), step).policy();
        List<Identity> counted = new ArrayList<>();
        for (Identity who : approvedBy) {
            boolean self = !policy.selfApprove() && roles.samePerson(who, op.requester(), policy.role());
            if (!self && earlier(counted, who, policy.role()).isEmpty()) {
                counted.add(who);
            }
        }
        pending.put(op.id(), new PendingApproval(op, expiresAt, counted, step));
    }

    /** Records an approval by {@code who}; refuses with a chat-safe message when it cannot count. */
    public synchronized Result approve(OperationId id, Identity who) {
        PendingApproval p = live(id);
        Operation op = p.operation();
        ApprovalPolicy policy = p.policy();
        if (!roles.hasRole(who, policy.role())) {
            throw new NotAllowedException("approving " + op.title() + " needs role " + policy.role()
                    + " (you are " + who + ")");
        }
        if (!policy.selfApprove() && roles.samePerson(who, op.requester(), policy.role())) {
            String whose = who.equals(op.requester()) ? "you requested " + op.title()
                    : op.title() + " was requested by " + op.requester() + ", the same person as you (" + who + ")";
            throw new NotAllowedException(whose + "; someone else with role " + policy.role() + " must approve it");
        }
        Optional<Identity> before = earlier(p.approvedBy(), who, policy.role());
        if (before.isPresent()) {
            throw new UserFacingException("you already approved " + op.title()
                    + (before.get().equals(who) ? "" : " as " + before.get()) + " (" + p.approvedBy().size()
                    + " of " + policy.required() + ")");
        }
        Instant now = ticker.now();
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.APPROVED, who, "", now, p.step()));
        metrics.approval(ApprovalRecord.Kind.APPROVED);
        List<Identity> by = new ArrayList<>(p.approvedBy());
        by.add(who);
        if (by.size() < policy.required()) {
            PendingApproval next = new PendingApproval(op, p.expiresAt(), by, p.step());
            pending.put(id, next);
            return new Counted(next);
        }
        pending.remove(id);
        if (p.confirm()) {
            return new Approved(op, List.copyOf(by));
        }
        journal.operationState(id, OperationState.QUEUED, now, "approved by " + join(by, op.origin().connectorId()));
        op.transition(OperationState.QUEUED, now);
        return new Approved(op, List.copyOf(by));
    }

    /** True if {@code who}, or another identity of the same person, has approved the pending operation. */
    public synchronized boolean hasApproved(OperationId id, Identity who) {
        PendingApproval p = pending.get(id);
        return p != null && earlier(p.approvedBy(), who, p.policy().role()).isPresent();
    }

    /**
     * Takes back the approval {@code who} gave (a reaction removed before the approval completed): it no longer
     * counts, and the journal records it ({@code WITHDRAWN}, with {@code reason}), so a restart does not restore it.
     * Returns the request as it stands now; refuses with a chat-safe message when {@code who} had not approved.
     */
    public synchronized PendingApproval withdrawApproval(OperationId id, Identity who, String reason) {
        PendingApproval p = live(id);
        Operation op = p.operation();
        if (!p.approvedBy().contains(who)) {
            throw new UserFacingException(who.principal() + " has no approval of " + op.title() + " to withdraw");
        }
        Instant now = ticker.now();
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.WITHDRAWN, who, reason, now, p.step()));
        metrics.approval(ApprovalRecord.Kind.WITHDRAWN);
        List<Identity> by = new ArrayList<>(p.approvedBy());
        by.remove(who);
        PendingApproval next = new PendingApproval(op, p.expiresAt(), by, p.step());
        pending.put(id, next);
        return next;
    }

    /**
     * Denies a request; the operation ends {@code DENIED} (a confirmation's operation is left to the caller). Needs the
     * approver role, or to be the requester.
     */
    public synchronized Operation deny(OperationId id, Identity who, String reason) {
        PendingApproval p = live(id);
        Operation op = p.operation();
        String role = p.policy().role();
        if (!roles.hasRole(who, role) && !who.equals(op.requester())) {
            throw new NotAllowedException("denying " + op.title() + " needs role " + role + " (you are " + who + ")");
        }
        Instant now = ticker.now();
        String why = reason == null || reason.isBlank() ? "" : reason.strip();
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.DENIED, who, why, now, p.step()));
        if (p.confirm()) {
            pending.remove(id);
            metrics.approval(ApprovalRecord.Kind.DENIED);
            return op;
        }
        journal.operationState(id, OperationState.DENIED, now, "denied by " + who.shownTo(op.origin().connectorId())
                + (why.isEmpty() ? "" : ": " + why));
        op.transition(OperationState.DENIED, now);
        pending.remove(id);
        metrics.approval(ApprovalRecord.Kind.DENIED);
        metrics.operationFinished(op.kind(), OperationState.DENIED);
        return op;
    }

    /**
     * Expires every request whose time has come; returns them (their operations are now {@code EXPIRED}, except a
     * confirmation's, which the caller fails).
     */
    public synchronized List<PendingApproval> expireDue() {
        Instant now = ticker.now();
        List<PendingApproval> out = new ArrayList<>();
        for (PendingApproval p : List.copyOf(pending.values())) {
            if (!now.isBefore(p.expiresAt())) {
                expire(p, now);
                out.add(p);
            }
        }
        return out;
    }

    /** Withdraws a pending request (used by cancel); returns true if it was pending. */
    public synchronized boolean withdraw(OperationId id) {
        return pending.remove(id) != null;
    }

    /** The pending request of an operation, if any. */
    public synchronized Optional<PendingApproval> pending(OperationId id) {
        return Optional.ofNullable(pending.get(id));
    }

    /** Every pending request, oldest first. */
    public synchronized List<PendingApproval> pending() {
        return List.copyOf(pending.values());
    }

    private PendingApproval live(OperationId id) {
        PendingApproval p = pending.get(id);
        if (p == null) {
            throw new UserFacingException(id + " is not waiting for approval");
        }
        if (!ticker.now().isBefore(p.expiresAt())) {
            expire(p, ticker.now());
            throw new UserFacingException(p.operation().title() + " expired at " + p.expiresAt()
                    + "; ask again with a new request");
        }
        return p;
    }

    private void expire(PendingApproval p, Instant now) {
        OperationId id = p.operation().id();
        journal.approvalEvent(id, new ApprovalRecord(ApprovalRecord.Kind.EXPIRED, null, "", now, p.step()));
        if (p.confirm()) {
            pending.remove(id);
            metrics.approval(ApprovalRecord.Kind.EXPIRED);
            return;
        }
        journal.operationState(id, OperationState.EXPIRED, now, "approval expired at " + p.expiresAt());
        p.operation().transition(OperationState.EXPIRED, now);
        pending.remove(id);
        metrics.approval(ApprovalRecord.Kind.EXPIRED);
        metrics.operationFinished(p.operation().kind(), OperationState.EXPIRED);
    }

    /** The approver in {@code approvers} who is the same person as {@code who}, if any. */
    private Optional<Identity> earlier(List<Identity> approvers, Identity who, String role) {
        return approvers.stream().filter(a -> roles.samePerson(a, who, role)).findFirst();
    }

    private static String join(List<Identity> ids, String connectorId) {
        return String.join(", ", ids.stream().map(i -> i.shownTo(connectorId)).toList());
    }
}
