package org.buildduty.core.operation;

import java.util.Locale;

/** The life of an operation. Terminal states never change again. */
public enum OperationState {
    /** Waiting for approvals. */
    PENDING_APPROVAL(false),
    /** Approved (or needing none) and queued for the runner. */
    QUEUED(false),
    /** Steps are running. */
    RUNNING(false),
    /**
     * Paused at a {@code confirm} step: nothing runs while it waits for its confirmation; it keeps its place and
     * survives a restart, then runs its next step, or fails and rolls back on a denial or expiry.
     */
    WAITING(false),
    /** A step failed or the operation was cancelled; completed steps' rollbacks are running. */
    ROLLING_BACK(false),
    SUCCEEDED(true),
    FAILED(true),
    CANCELLED(true),
    DENIED(true),
    EXPIRED(true),
    /** The bot stopped while it ran; reported on restart, never re-run without a new request. */
    INTERRUPTED(true);

    private final boolean terminal;

    OperationState(boolean terminal) {
        this.terminal = terminal;
    }

    /** True when the state never changes again. */
    public boolean isTerminal() {
        return terminal;
    }

    /** Lower-case name for chat and the web page. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
