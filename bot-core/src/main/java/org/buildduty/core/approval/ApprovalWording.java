package org.buildduty.core.approval;

import java.util.List;
import java.util.Locale;

import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.time.Times;

/**
 * Every line the bot says about approval, in one place: the request with how to approve it, a confirm step's pause,
 * an approval counted, complete or withdrawn, a denial, an expiry, a request withdrawn by cancelling it, an approved
 * plan that is not run after all, where a pending request stands, and a journaled approval event. Times are shown as
 * the room's clock ({@link Times#clock}).
 *
 * <pre>{@code
 * reconfig #17 by alice: fleet=web — approve with "!approve 17" (1 of role ops, not alice; expires 14:05Z)
 * reconfig #17: approval by bob counted (1 of 2; expires 14:05Z)
 * bob's approval of reconfig #17 withdrawn (reaction removed); 0 of 2
 * reconfig #17 approved by bob, carol; running
 * reconfig #17 denied by bob: not during the freeze; it will not run
 * reconfig #17 expired: no approval by 14:05Z; it will not run
 * deploy #5 waits at step 2 "canary ok?": check the dashboards — continue with !approve 5 (1 of role releng, not
 *     alice; expires 11:02Z), stop with !deny 5
 * deploy #5 step 2 "canary ok?" confirmed by bob; continuing
 * }</pre>
 */
public final class ApprovalWording {
    private ApprovalWording() {
    }

    /**
     * The answer to a request that needs approval. {@code params} and {@code steps} are the plan's summaries as the
     * prompt shows them (each empty or starting with its own separator).
     */
    public static String request(PendingApproval p, String prefix, String params, String steps) {
        Operation op = p.operation();
        return op.title() + " by " + op.requester().principal() + params + " — approve with \"" + prefix + "approve "
                + op.id().value() + "\" " + terms(p) + steps;
    }

    /**
     * Who may approve and until when, as the request and a confirm step say it:
     * {@code (1 of role releng, not alice; expires 11:02Z)}.
     */
    public static String terms(PendingApproval p) {
        ApprovalPolicy policy = p.policy();
        return "(" + policy.required() + " of role " + policy.role()
                + (policy.selfApprove() ? "" : ", not " + p.operation().requester().principal()) + "; expires "
                + Times.clock(p.expiresAt()) + ")";
    }

    /**
     * What the room is told when an operation pauses at a confirm step; {@code message} is the step's, as shown
     * (redacted by the caller): {@code deploy #5 waits at step 2 "canary ok?": check the canary dashboards — continue
     * with !approve 5 (1 of role releng, not alice; expires 11:02Z), stop with !deny 5}.
     */
    public static String confirm(PendingApproval p, String prefix, String message) {
        Operation op = p.operation();
        long n = op.id().value();
        return op.title() + " waits at " + where(p) + (message.isBlank() ? "" : ": " + message.strip())
                + " — continue with " + prefix + "approve " + n + " " + terms(p) + ", stop with " + prefix + "deny "
                + n;
    }

    /** {@code step 2 "canary ok?"}: the confirm step a request waits at. */
    public static String where(PendingApproval p) {
        return "step " + (p.step() + 1) + " \"" + p.confirmStep().name() + "\"";
    }

    /** A confirm step confirmed by enough people: the next step runs. */
    public static String confirmed(PendingApproval p, List<Identity> approvers) {
        return p.operation().title() + " " + where(p) + " confirmed by " + String.join(", ",
                approvers.stream().map(Identity::principal).toList()) + "; continuing";
    }

    /** Why an operation failed at its confirm step after a denial ({@code reason} may be null or blank). */
    public static String confirmDenied(Identity who, String reason) {
        return "denied by " + who.principal() + (reason == null || reason.isBlank() ? "" : ": " + reason.strip());
    }

    /** Why an operation failed at its confirm step after its expiry. */
    public static String confirmExpired(PendingApproval p) {
        return "not confirmed before " + Times.clock(p.expiresAt());
    }

    /** The answer to a denial of a confirm step. */
    public static String stopped(PendingApproval p, Identity who, String reason) {
        return p.operation().title() + " " + confirmDenied(who, reason) + " at " + where(p)
                + "; it fails there and its completed steps roll back";
    }

    /** The answer to a cancel of an operation waiting at a confirm step. */
    public static String cancelledWaiting(PendingApproval p, Identity who) {
        return "cancelling " + p.operation().title() + " (it waited at " + where(p) + "): completed steps roll back";
    }

    /** How {@code ops} shows an operation waiting at a confirm step. */
    public static String waiting(PendingApproval p) {
        return "waiting at " + where(p) + " (" + status(p) + ")";
    }

    /** An approval that counted but is not yet enough. */
    public static String counted(PendingApproval p, Identity who) {
        return p.operation().title() + ": approval by " + who.principal() + " counted (" + p.approvedBy().size()
                + " of " + p.policy().required() + "; expires " + Times.clock(p.expiresAt())
                + ")";
    }

    /** An approval taken back before it completed (its reaction removed): where the request stands now. */
    public static String approvalWithdrawn(PendingApproval p, Identity who, String how) {
        return who.principal() + "'s approval of " + p.operation().title() + " withdrawn (" + how + "); "
                + p.approvedBy().size() + " of " + p.policy().required();
    }

    /** The start of every line about a fully approved operation: who approved it. */
    public static String approvedBy(Operation op, List<Identity> approvers) {
        return op.title() + " approved by " + String.join(", ", approvers.stream().map(Identity::principal).toList());
    }

    /** A fully approved operation that starts now. */
    public static String running(String approvedBy) {
        return approvedBy + "; running";
    }

    /** A fully approved operation that is not run, because the command's last check found its premise moved. */
    public static String notRun(String approvedBy, String reason) {
        return approvedBy + ", but not run: " + reason;
    }

    /** The journal's note on an operation approved but not run. */
    public static String notRunDetail(String reason) {
        return "approved but not run: " + reason;
    }

    /** The line before a fresh request that replaces an approved plan not run. */
    public static String askingAgain() {
        return "asking again:";
    }

    /** A denial; {@code reason} may be null or blank. */
    public static String denied(Operation op, Identity who, String reason) {
        return op.title() + " denied by " + who.principal()
                + (reason == null || reason.isBlank() ? "" : ": " + reason.strip()) + "; it will not run";
    }

    /** A request that expired unapproved, said in the room it came from. */
    public static String expired(PendingApproval p) {
        return p.operation().title() + " expired: no approval by " + Times.clock(p.expiresAt()) + "; it will not run";
    }

    /** Where a pending request stands, as {@code ops} lists it: {@code 1 of 2 of role ops; expires 14:05Z}. */
    public static String status(PendingApproval p) {
        ApprovalPolicy policy = p.policy();
        return p.approvedBy().size() + " of " + policy.required() + " of role " + policy.role() + "; expires "
                + Times.clock(p.expiresAt());
    }

    /**
     * One journaled approval event, as {@code op} lists it: {@code approved by irc:bob at 14:02Z}, with
     * {@code (step 2)} for a confirm step's.
     */
    public static String event(ApprovalRecord a, String connectorId) {
        return a.kind().name().toLowerCase(Locale.ROOT) + (a.confirm() ? " (step " + (a.step() + 1) + ")" : "")
                + (a.who() == null ? "" : " by " + a.who().shownTo(connectorId)) + " at " + Times.clock(a.at())
                + (a.reason() == null || a.reason().isEmpty() ? "" : ": " + a.reason());
    }

    /** A request withdrawn by cancelling it before it ran. */
    public static String withdrawn(Operation op, Identity who) {
        return op.title() + " cancelled by " + who.principal() + " before it ran";
    }

    /** The journal's note on a request withdrawn by cancelling it. */
    public static String withdrawnDetail(Operation op, Identity who) {
        return "cancelled by " + who.shownTo(op.origin().connectorId()) + " before it ran";
    }
}
