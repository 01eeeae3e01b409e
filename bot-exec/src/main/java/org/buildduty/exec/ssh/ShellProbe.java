package org.buildduty.exec.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;

import org.buildduty.core.exec.CancelPoint;
import org.buildduty.core.parse.Sanitize;

/**
 * Checks, once on a new connection, that the login shell of the remote user reads POSIX shell syntax: commands are
 * built for it (single quotes with {@code '\''}, {@code $(...)}), and a shell such as fish or csh would read them
 * differently. The probe {@code printf '%s' "$((6*7))"} must print {@code 42} as its last line.
 */
final class ShellProbe {
    /** The probe command. */
    static final String COMMAND = "printf '%s' \"$((6*7))\"";
    private static final int MAX_OUTPUT = 256;
    private static final long POLL_MILLIS = 2;

    private ShellProbe() {
    }

    /**
     * Runs the probe on {@code session}: null when the shell is POSIX-like, else the one-line refusal naming the host.
     *
     * @throws SshFailure when the probe could not run (connection lost, no answer in time, cancelled)
     */
    static String refusal(Session session, SshTarget target, Duration timeout, CancelPoint attempt)
            throws SshFailure {
        BoundedOutput out = new BoundedOutput(MAX_OUTPUT);
        ChannelExec channel;
        boolean closed;
        try {
            channel = (ChannelExec) session.openChannel("exec");
            if (channel == null) {
                throw new JSchException("session is down");
            }
        } catch (JSchException e) {
            throw new SshFailure("cannot check the login shell on " + target.name() + ": " + e.getMessage());
        }
        try {
            channel.setCommand(COMMAND.getBytes(StandardCharsets.UTF_8));
            channel.setPty(false);
            channel.setOutputStream(out, false);
            channel.setErrStream(OutputStream.nullOutputStream(), false);
            attempt.stopWith(channel::disconnect);
            channel.connect((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            channel.getOutputStream().close();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!channel.isClosed() && session.isConnected() && !attempt.cancelled()
                    && System.nanoTime() < deadline) {
                Thread.sleep(POLL_MILLIS);
            }
            closed = channel.isClosed();
        } catch (JSchException | IOException e) {
            throw attempt.cancelled() ? new SshFailure("cancelled")
                    : new SshFailure("cannot check the login shell on " + target.name() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshFailure("interrupted");
        } finally {
            attempt.clear();
            channel.disconnect();
        }
        if (attempt.cancelled()) {
            throw new SshFailure("cancelled");
        }
        if (!closed) {
            throw new SshFailure(session.isConnected() ? "the login shell on " + target.name() + " did not answer "
                    + COMMAND + " within " + TimeUnit.MILLISECONDS.toSeconds(timeout.toMillis()) + " s"
                    : "connection to " + target.name() + " lost");
        }
        String printed = out.text().strip();
        String last = printed.substring(printed.lastIndexOf('\n') + 1).strip();
        if (last.equals("42")) {
            return null;
        }
        return "the login shell of " + target.user() + " on " + target.name() + " is not POSIX-like (" + COMMAND
                + " printed " + (printed.isEmpty() ? "nothing" : "\"" + Sanitize.forDisplay(printed, 40) + "\"")
                + ", not 42); buildduty needs sh, bash, dash, ksh or zsh";
    }
}
