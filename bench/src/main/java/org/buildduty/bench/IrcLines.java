package org.buildduty.bench;

import java.io.IOException;
import java.io.InputStream;

/**
 * The bench clients' reader loop: splits what an IRC server sends into lines (LF or CRLF ends one; a line longer than
 * 16 KiB is cut), handing each to a sink in the reader's own buffer, with the {@link System#nanoTime()} at which its
 * bytes arrived.
 */
final class IrcLines {
    private static final int MAX = 16384;

    /** Gets one line: {@code line[0..len)}, valid only during the call. */
    @FunctionalInterface
    interface Sink {
        void line(byte[] line, int len, long stamp) throws IOException;
    }

    private IrcLines() {
    }

    /** Reads {@code in} until it ends; an IOException (the socket closed) ends it too, thrown to the caller. */
    static void read(InputStream in, Sink sink) throws IOException {
        byte[] buf = new byte[MAX];
        byte[] line = new byte[MAX];
        int len = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            long stamp = System.nanoTime();
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    sink.line(line, len > 0 && line[len - 1] == '\r' ? len - 1 : len, stamp);
                    len = 0;
                } else if (len < line.length) {
                    line[len++] = b;
                }
            }
        }
    }
}
