package org.buildduty.core.exec.ssh;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.LocalExecutor;
import org.buildduty.core.exec.OutputStream;

/**
 * Where JSch writes one remote stream of a command: reports it line by line as it arrives, UTF-8 (malformed bytes
 * replaced), {@code \r\n} and {@code \n} endings, lines longer than {@link LocalExecutor#MAX_LINE_BYTES} cut and
 * marked with {@code …}, as the local executor does.
 *
 * <p>JSch writes stdout and stderr from its one session thread in the order the server sent them, so the lines of
 * both streams are reported in that order, and the last line is the last one sent. A partial last line is reported
 * on {@link #close()} (end of stream) or {@link #finish()}, once.
 */
final class LineSink extends java.io.OutputStream {
    private final OutputStream stream;
    private final ExecContext context;
    private final AtomicReference<String> lastLine;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean cut;

    LineSink(OutputStream stream, ExecContext context, AtomicReference<String> lastLine) {
        this.stream = stream;
        this.context = context;
        this.lastLine = lastLine;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else if (line.size() < LocalExecutor.MAX_LINE_BYTES) {
            line.write(b);
        } else {
            cut = true;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    /** End of stream: reports a partial last line. */
    @Override
    public void close() {
        finish();
    }

    /** Reports a partial last line, if any. */
    synchronized void finish() {
        if (line.size() > 0 || cut) {
            emit();
        }
    }

    private void emit() {
        byte[] bytes = line.toByteArray();
        line.reset();
        int end = bytes.length;
        if (cut) {
            end = utf8Boundary(bytes, end);
        } else if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        String text = new String(bytes, 0, end, StandardCharsets.UTF_8) + (cut ? "…" : "");
        cut = false;
        lastLine.set(text);
        context.output(stream, text);
    }

    /** The largest length at most {@code end} that does not split a UTF-8 sequence at its end. */
    static int utf8Boundary(byte[] bytes, int end) {
        int lead = end - 1;
        while (lead >= 0 && end - lead <= 4 && (bytes[lead] & 0xC0) == 0x80) {
            lead--;
        }
        if (lead < 0 || end - lead > 4) {
            return end;
        }
        int b = bytes[lead] & 0xFF;
        int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        return lead + need > end ? lead : end;
    }
}
