package org.buildduty.core.exec.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import org.buildduty.core.exec.ExecContext;
import org.buildduty.core.exec.LocalExecutor;
import org.buildduty.core.exec.OutputStream;

/**
 * Reads one remote stream on its own thread and reports it line by line as it arrives: UTF-8 (malformed bytes
 * replaced), {@code \r\n} and {@code \n} endings, lines longer than {@link LocalExecutor#MAX_LINE_BYTES} cut and
 * marked with {@code …}, as the local executor does.
 */
final class LineSplitter implements Runnable {
    private final InputStream in;
    private final OutputStream stream;
    private final ExecContext context;
    private final AtomicReference<String> lastLine;
    private final Thread thread;

    private LineSplitter(InputStream in, OutputStream stream, ExecContext context, AtomicReference<String> lastLine,
            String name) {
        this.in = in;
        this.stream = stream;
        this.context = context;
        this.lastLine = lastLine;
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    /** Starts reading {@code in} on a daemon thread. */
    static LineSplitter start(InputStream in, OutputStream stream, ExecContext context,
            AtomicReference<String> lastLine, String name) {
        LineSplitter s = new LineSplitter(in, stream, context, lastLine, name);
        s.thread.start();
        return s;
    }

    /** Waits up to {@code millis} for the stream to end; true if it did. */
    boolean await(long millis) throws InterruptedException {
        thread.join(Math.max(1, millis));
        return !thread.isAlive();
    }

    @Override
    public void run() {
        byte[] buf = new byte[8192];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean cut = false;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        emit(line, cut);
                        cut = false;
                    } else if (line.size() < LocalExecutor.MAX_LINE_BYTES) {
                        line.write(b);
                    } else {
                        cut = true;
                    }
                }
            }
        } catch (IOException e) {
            // The channel or connection closed; what was read is reported below.
        }
        if (line.size() > 0 || cut) {
            emit(line, cut);
        }
    }

    private void emit(ByteArrayOutputStream buf, boolean cut) {
        byte[] bytes = buf.toByteArray();
        buf.reset();
        int end = bytes.length;
        if (cut) {
            end = utf8Boundary(bytes, end);
        } else if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        String text = new String(bytes, 0, end, StandardCharsets.UTF_8) + (cut ? "…" : "");
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
