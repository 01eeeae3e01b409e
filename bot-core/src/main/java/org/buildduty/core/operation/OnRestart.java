package org.buildduty.core.operation;

/**
 * What happens to an operation that was running when the bot died: it is always reported interrupted and never
 * re-run; with {@link #ROLLBACK} the rollbacks of its completed steps also run, in reverse order, as after a failure.
 */
public enum OnRestart {
    /** Report it interrupted with what had completed; nothing runs. */
    REPORT,
    /** Report it, then run the rollbacks of the steps that had completed (on the hosts where they succeeded). */
    ROLLBACK
}
