package org.buildduty.core.approval;

import java.time.Instant;
import java.util.List;

import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.StepSpec;

/**
 * An operation waiting for approval: when it expires, and who has approved so far (one identity per person).
 *
 * @param step {@link ApprovalRecord#START} for the approval before the operation starts, else the index of the
 *     {@code confirm} step it waits at
 */
public record PendingApproval(Operation operation, Instant expiresAt, List<Identity> approvedBy, int step) {
    public PendingApproval {
        approvedBy = List.copyOf(approvedBy);
        if (step != ApprovalRecord.START && !operation.plan().steps().get(step).isConfirm()) {
            throw new IllegalArgumentException("step " + (step + 1) + " of " + operation.title()
                    + " is not a confirm step");
        }
    }

    /** A request of the approval before the operation starts. */
    public PendingApproval(Operation operation, Instant expiresAt, List<Identity> approvedBy) {
        this(operation, expiresAt, approvedBy, ApprovalRecord.START);
    }

    /** True when a {@code confirm} step waits for it (not the start approval). */
    public boolean confirm() {
        return step != ApprovalRecord.START;
    }

    /** The confirm step it waits at. */
    public StepSpec confirmStep() {
        return operation.plan().steps().get(step);
    }

    /** Who must approve: the plan's approval, or the confirm step's. */
    public ApprovalPolicy policy() {
        return confirm() ? confirmStep().confirmPolicy() : operation.plan().approval();
    }

    /** Approvals still needed. */
    public int missing() {
        return Math.max(0, policy().required() - approvedBy.size());
    }
}
