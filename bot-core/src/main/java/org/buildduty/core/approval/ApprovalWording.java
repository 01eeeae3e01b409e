package org.buildduty.core.approval;

import java.util.List;
import java.util.Locale;

import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.time.Times;

/**
 * Every line the bot says about approval, in one place: the request with how to approve it, an approval counted,
 * complete or withdrawn, a denial, an expiry, a request withdrawn by cancelling it, an approved plan that is not run
 * after all, where a pending request stands, and a journaled approval event. Times are shown as the room's clock
 * ({@link Times#clock}).
 *
 * <pre>{@code
 * reconfig #17 by alice: fleet=web — approve with "!approve 17" (1 of role ops, not alice; expires 14:05Z)
 * reconfig #17: approval by bob counted (1 of 2; expires 14:05Z)
 * bob's approval of reconfig #17 withdrawn (reaction removed); 0 of 2
 * reconfig #17 approved by bob, carol; running
 * reconfig #17 denied by bob: not during the freeze; it will not run
 * reconfig #17 expired: no approval by 14:05Z; it will not run
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
        ApprovalPolicy policy = op.plan().approval();
        String who = op.requester().principal();
        return op.title() + " by " + who + params + " — approve with \"" + prefix + "approve " + op.id().value()
                + "\" (" + policy.required() + " of role " + policy.role()
                + (policy.selfApprove() ? "" : ", not " + who) + "; expires " + Times.clock(p.expiresAt()) + ")"
                + steps;
    }

    /** An approval that counted but is not yet enough. */
    public static String counted(PendingApproval p, Identity who) {
        return p.operation().title() + ": approval by " + who.principal() + " counted (" + p.approvedBy().size()
                + " of " + p.operation().plan().approval().required() + "; expires " + Times.clock(p.expiresAt())
                + ")";
    }

    /** An approval taken back before it completed (its reaction removed): where the request stands now. */
    public static String approvalWithdrawn(PendingApproval p, Identity who, String how) {
        return who.principal() + "'s approval of " + p.operation().title() + " withdrawn (" + how + "); "
                + p.approvedBy().size() + " of " + p.operation().plan().approval().required();
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
        ApprovalPolicy policy = p.operation().plan().approval();
        return p.approvedBy().size() + " of " + policy.required() + " of role " + policy.role() + "; expires "
                + Times.clock(p.expiresAt());
    }

    /** One journaled approval event, as {@code op} lists it: {@code approved by irc:bob at 14:02Z}. */
    public static String event(ApprovalRecord a) {
        return a.kind().name().toLowerCase(Locale.ROOT) + (a.who() == null ? "" : " by " + a.who()) + " at "
                + Times.clock(a.at()) + (a.reason().isEmpty() ? "" : ": " + a.reason());
    }

    /** A request withdrawn by cancelling it before it ran. */
    public static String withdrawn(Operation op, Identity who) {
        return op.title() + " cancelled by " + who.principal() + " before it ran";
    }

    /** The journal's note on a request withdrawn by cancelling it. */
    public static String withdrawnDetail(Identity who) {
        return "cancelled by " + who + " before it ran";
    }
}
