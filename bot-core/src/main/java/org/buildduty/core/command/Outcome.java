package org.buildduty.core.command;

import java.util.List;

import org.buildduty.core.operation.OperationPlan;

/** What a command handler decided: an immediate reply, or a plan to create an operation from. */
public sealed interface Outcome permits Outcome.Reply, Outcome.Planned {
    /** Lines to post in the room now. */
    record Reply(List<String> lines) implements Outcome {
        public Reply {
            lines = List.copyOf(lines);
        }
    }

    /**
     * A plan: the pipeline creates the operation, asks for approval if needed, then runs it. A non-empty {@code note}
     * follows the new operation's title in the first line of the answer ({@code deploy #9 retries #5 from step 2}).
     */
    record Planned(OperationPlan plan, String note) implements Outcome {
        public Planned {
            note = note == null ? "" : note;
        }

        public Planned(OperationPlan plan) {
            this(plan, "");
        }
    }

    static Outcome reply(String... lines) {
        return new Reply(List.of(lines));
    }

    static Outcome reply(List<String> lines) {
        return new Reply(lines);
    }

    static Outcome planned(OperationPlan plan) {
        return new Planned(plan);
    }

    /** A plan whose answer names what it is, after the new operation's title. */
    static Outcome planned(OperationPlan plan, String note) {
        return new Planned(plan, note);
    }
}
