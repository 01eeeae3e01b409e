package org.buildduty.core.journal;

import java.time.Instant;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;

/**
 * An operation as the journal holds it.
 *
 * @param expiresAt when its approval request expires, or null
 * @param detail the last state change's reason or summary, or empty
 */
public record OperationRecord(OperationId id, OperationPlan plan, Identity requester, ChatAddress origin,
        Instant createdAt, OperationState state, Instant startedAt, Instant endedAt, Instant expiresAt,
        String detail) {

    /** A live operation rebuilt from this record (used on restart for pending approvals). */
    public Operation toOperation() {
        return new Operation(id, plan, requester, origin, createdAt, state);
    }
}
