package org.buildduty.core.journal;

import java.time.Instant;

import org.buildduty.core.chat.Identity;

/**
 * One approval event: who approved, denied, or (with a null identity) the expiry.
 *
 * @param step the index of the {@code confirm} step the event belongs to, or {@link #START} for the approval the
 *     operation needed before it started
 */
public record ApprovalRecord(Kind kind, Identity who, String reason, Instant at, int step) {
    /** The step of an event of the start approval. */
    public static final int START = -1;

    /** What happened. */
    public enum Kind { REQUESTED, APPROVED, DENIED, EXPIRED }

    public ApprovalRecord {
        if (step < START) {
            throw new IllegalArgumentException("step must be " + START + " or a step index: " + step);
        }
    }

    /** An event of the start approval. */
    public ApprovalRecord(Kind kind, Identity who, String reason, Instant at) {
        this(kind, who, reason, at, START);
    }

    /** True when the event belongs to a {@code confirm} step, not the start approval. */
    public boolean confirm() {
        return step != START;
    }
}
