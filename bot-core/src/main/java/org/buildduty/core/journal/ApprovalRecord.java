package org.buildduty.core.journal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.buildduty.core.chat.Identity;

/**
 * One approval event: who approved, denied, withdrew their approval (a reaction removed before the approval
 * completed), or (with a null identity) the expiry.
 */
public record ApprovalRecord(Kind kind, Identity who, String reason, Instant at) {
    /** What happened. */
    public enum Kind { REQUESTED, APPROVED, DENIED, EXPIRED, WITHDRAWN }

    /**
     * The identities whose approval stands after these events, in the order they approved: each {@code APPROVED}
     * adds its identity once, each {@code WITHDRAWN} removes it (an approval given again after its withdrawal counts
     * again).
     */
    public static List<Identity> standing(List<ApprovalRecord> events) {
        List<Identity> out = new ArrayList<>();
        for (ApprovalRecord a : events) {
            if (a.who() == null) {
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
}
