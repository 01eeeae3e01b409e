package org.buildduty.core.exec;

/** Which stream an output line came from. */
public enum OutputChannel {
    STDOUT, STDERR,
    /** A line the bot itself wrote into the log (e.g. an HTTP status). */
    INFO,
    /**
     * A line the bot itself wrote that the room should see even where output lines are not shown (a build started,
     * with its URL; its result): reported as a notable event, prefixed with the operation id.
     */
    NOTICE
}
