package org.buildduty.core.approval;

import java.time.Instant;
import java.util.List;

import org.buildduty.core.chat.Identity;
import org.buildduty.core.operation.Operation;

/** An operation waiting for approval: when it expires, and who has approved so far (one identity per person). */
public record PendingApproval(Operation operation, Instant expiresAt, List<Identity> approvedBy) {
    public PendingApproval {
        approvedBy = List.copyOf(approvedBy);
    }

    /** Approvals still needed. */
    public int missing() {
        return Math.max(0, operation.plan().approval().required() - approvedBy.size());
    }
}
