package org.buildduty.core.operation;

import java.time.Instant;
import java.util.Objects;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;

/**
 * An operation: a frozen plan with a persisted id, who asked for it, and where. Only its state changes.
 */
public final class Operation {
    private final OperationId id;
    private final OperationPlan plan;
    private final Identity requester;
    private final ChatAddress origin;
    private final Instant createdAt;
    private volatile OperationState state;
    private volatile Instant startedAt;
    private volatile Instant endedAt;

    public Operation(OperationId id, OperationPlan plan, Identity requester, ChatAddress origin, Instant createdAt,
            OperationState state) {
        this.id = Objects.requireNonNull(id, "id");
        this.plan = Objects.requireNonNull(plan, "plan");
        this.requester = Objects.requireNonNull(requester, "requester");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
        this.state = Objects.requireNonNull(state, "state");
    }

    public OperationId id() {
        return id;
    }

    public OperationPlan plan() {
        return plan;
    }

    public String kind() {
        return plan.kind();
    }

    public Identity requester() {
        return requester;
    }

    public ChatAddress origin() {
        return origin;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public OperationState state() {
        return state;
    }

    /** When the runner started it, or null. */
    public Instant startedAt() {
        return startedAt;
    }

    /** When it reached a terminal state, or null. */
    public Instant endedAt() {
        return endedAt;
    }

    /** Moves to a new state; a terminal state never changes. Returns false if the move was refused. */
    public synchronized boolean transition(OperationState next, Instant at) {
        if (state.isTerminal()) {
            return false;
        }
        if (next == OperationState.RUNNING && startedAt == null) {
            startedAt = at;
        }
        if (next.isTerminal()) {
            endedAt = at;
        }
        state = next;
        return true;
    }

    /** {@code reconfig #17}. */
    public String title() {
        return plan.kind() + " " + id;
    }

    @Override
    public String toString() {
        return title() + " (" + state.label() + ")";
    }
}
