package org.buildduty.core.journal;

import java.time.Instant;

import org.buildduty.core.exec.OutputChannel;

/** One line of output in the journal; {@code seq} increases within an operation. */
public record OutputLine(long seq, int stepIndex, String host, OutputChannel stream, String line, Instant at) {
}
