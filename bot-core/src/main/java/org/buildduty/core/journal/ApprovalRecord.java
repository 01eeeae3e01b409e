package org.buildduty.core.journal;

import java.time.Instant;

import org.buildduty.core.chat.Identity;

/** One approval event: who approved, denied, or (with a null identity) the expiry. */
public record ApprovalRecord(Kind kind, Identity who, String reason, Instant at) {
    /** What happened. */
    public enum Kind { REQUESTED, APPROVED, DENIED, EXPIRED }
}
