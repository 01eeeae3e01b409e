package org.buildduty.exec.ssh;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import org.buildduty.core.exec.LineSink;

/**
 * Learns which process group runs a remote command, so a cancel can stop all of it: the command is sent as
 * {@code printf 'TAG %s\n' "$$" >&2; COMMAND}, on one line so the shell's line numbers stay those of the command. sshd
 * starts the login shell in a session of its own (OpenSSH calls {@code setsid} for every command), so {@code $$} is
 * the id of the process group holding the command and every child it starts. This stream stands in front of the
 * command's stderr sink: it takes out the one line {@code TAG PID} and keeps the pid ({@link #pgid()}); every other
 * byte goes on unchanged, so the command's output and exit status are its own. The tag is random per run.
 */
final class GroupMarker extends OutputStream {
    /** Digits of the largest pid we accept. */
    private static final int MAX_DIGITS = 10;

    private final String tag;
    private final byte[] prefix;
    private final LineSink next;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    /** The current line is not the marker: pass it on as it comes. */
    private boolean passing;
    private volatile long pgid;

    /** A marker with a fresh random tag, passing the rest of stderr to {@code next}. */
    GroupMarker(LineSink next) {
        this("bd-pgid-" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE), next);
    }

    GroupMarker(String tag, LineSink next) {
        this.tag = tag;
        this.prefix = (tag + " ").getBytes(StandardCharsets.US_ASCII);
        this.next = next;
    }

    /**
     * The command as sent: the marker line first, then {@code command} unchanged (chat values in it were quoted when
     * it was bound).
     */
    String wrap(String command) {
        return "printf '" + tag + " %s\\n' \"$$\" >&2; " + command;
    }

    /** The process group of the command, once its shell said it; 0 before. */
    long pgid() {
        return pgid;
    }

    @Override
    public synchronized void write(int b) {
        if (pgid != 0 || passing) {
            next.write(b);
            if (b == '\n') {
                passing = false;
            }
            return;
        }
        if (b == '\n') {
            long id = parse(held.toByteArray());
            if (id > 1) {
                pgid = id;
                held.reset();
                return;
            }
            release();
            next.write(b);
            return;
        }
        held.write(b);
        if (!couldBeMarker(held.toByteArray())) {
            release();
            passing = true;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    /** End of stream: passes on what was held back and reports a partial last line. */
    synchronized void finish() {
        release();
        next.finish();
    }

    @Override
    public void close() {
        finish();
    }

    private void release() {
        byte[] bytes = held.toByteArray();
        held.reset();
        next.write(bytes, 0, bytes.length);
    }

    private boolean couldBeMarker(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            if (i < prefix.length ? line[i] != prefix[i] : !digit(line[i]) || i >= prefix.length + MAX_DIGITS) {
                return false;
            }
        }
        return true;
    }

    /** The pid on a complete marker line, else 0. */
    private long parse(byte[] line) {
        if (line.length <= prefix.length || !couldBeMarker(line)) {
            return 0;
        }
        return Long.parseLong(new String(line, prefix.length, line.length - prefix.length,
                StandardCharsets.US_ASCII));
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }
}
