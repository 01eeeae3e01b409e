package org.buildduty.core.journal;

import java.time.Instant;

import org.buildduty.core.exec.OutputStream;

/** One line of output in the journal; {@code seq} increases within an operation. */
public record OutputLine(long seq, int stepIndex, String host, OutputStream stream, String line, Instant at) {
}
