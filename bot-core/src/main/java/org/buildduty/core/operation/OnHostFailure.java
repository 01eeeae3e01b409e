package org.buildduty.core.operation;

/** What a fan-out step does when one host fails. */
public enum OnHostFailure {
    /** No new hosts start; running ones finish; the step fails. (Default.) */
    STOP,
    /** The other hosts carry on; the step fails at the end if any host failed. */
    CONTINUE
}
