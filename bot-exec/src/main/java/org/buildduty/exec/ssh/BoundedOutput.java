package org.buildduty.exec.ssh;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the first {@code max} bytes written to it: the short answer of a helper command on an SSH channel. */
final class BoundedOutput extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final int max;

    BoundedOutput(int max) {
        this.max = max;
    }

    @Override
    public synchronized void write(int b) {
        if (bytes.size() < max) {
            bytes.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        bytes.write(b, off, Math.max(0, Math.min(len, max - bytes.size())));
    }

    /** What was kept, as UTF-8 text. */
    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
