package org.buildduty.core.exec;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;


/**
 * One output stream of a command (local process or remote channel), reported line by line as it arrives: UTF-8
 * (malformed bytes replaced), {@code \r\n} and {@code \n} endings, lines longer than {@link #MAX_LINE_BYTES} cut
 * at a character boundary and marked with {@code …}. Each line also becomes the run's last line.
 *
 * <p>A partial last line is reported on {@link #close()} (end of stream) or {@link #finish()}, once.
 */
public final class LineSink extends OutputStream {
    /** Longest line kept, in bytes; the rest of a longer line is dropped. */
    public static final int MAX_LINE_BYTES = 8192;

    private final OutputChannel stream;
    private final ExecContext context;
    private final AtomicReference<String> lastLine;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean cut;

    /** A sink reporting to {@code context} as {@code stream}, recording each line in {@code lastLine}. */
    public LineSink(OutputChannel stream, ExecContext context, AtomicReference<String> lastLine) {
        this.stream = stream;
        this.context = context;
        this.lastLine = lastLine;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else if (line.size() < MAX_LINE_BYTES) {
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
    public synchronized void finish() {
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
