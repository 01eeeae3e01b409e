package org.buildduty.core.journal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.buildduty.core.chat.Identity;

/**
 * One approval event: who approved, denied, withdrew their approval (a reaction removed before the approval
 * completed), or (with a null identity) the expiry.
 *
 * @param step the index of the {@code confirm} step the event belongs to, or {@link #START} for the approval the
 *     operation needed before it started
 */
public record ApprovalRecord(Kind kind, Identity who, String reason, Instant at, int step) {
    /** The step of an event of the start approval. */
    public static final int START = -1;

    /** What happened. */
    public enum Kind { REQUESTED, APPROVED, DENIED, EXPIRED, WITHDRAWN }

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

    /**
     * The identities whose approval of {@code step} stands after these events, in the order they approved: each
     * {@code APPROVED} adds its identity once, each {@code WITHDRAWN} removes it (an approval given again after its
     * withdrawal counts again).
     */
    public static List<Identity> standing(List<ApprovalRecord> events, int step) {
        List<Identity> out = new ArrayList<>();
        for (ApprovalRecord a : events) {
            if (a.who() == null || a.step() != step) {
                continue;
            }
            if (a.kind() == Kind.APPROVED && !out.contains(a.who())) {
                out.add(a.who());
            } else if (a.kind() == Kind.WITHDRAWN) {
                out.remove(a.who());
            }
        }
        return out;
    }

    /** Everyone whose approval stands, of the start approval and of every confirm step, each once, in order. */
    public static List<Identity> standing(List<ApprovalRecord> events) {
        List<Identity> out = new ArrayList<>();
        events.stream().map(ApprovalRecord::step).distinct().forEach(step -> standing(events, step).stream()
                .filter(who -> !out.contains(who)).forEach(out::add));
        return out;
    }
}
