package org.buildduty.core.exec;

/** Which stream an output line came from. */
public enum OutputStream {
    STDOUT, STDERR,
    /** A line the bot itself wrote into the log (e.g. an HTTP status). */
    INFO
}
