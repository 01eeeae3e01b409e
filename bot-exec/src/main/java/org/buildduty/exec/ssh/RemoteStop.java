package org.buildduty.exec.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;

import org.buildduty.core.parse.Sanitize;

/**
 * Stops a cancelled command's process group ({@link GroupMarker}) through a second exec channel on the same
 * connection, whatever the login user (OpenSSH refuses {@code signal} requests for root logins): a POSIX shell script
 * sends SIGTERM to the group, waits up to the grace for it to go, sends SIGKILL to what is left, and says whether
 * anything still runs. Zombies do not count (read with {@code ps -A -o pgid= -o stat=}; where that {@code ps} is
 * missing, {@code kill -s 0} decides).
 */
final class RemoteStop {
    /** The script's exit status when something still runs after SIGKILL. */
    static final int STILL_RUNNING = 3;
    /** How long the script may take beyond the grace before it counts as hung. */
    private static final Duration SLACK = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 20;
    private static final int MAX_OUTPUT = 512;

    private RemoteStop() {
    }

    /** The script for group {@code pgid}: TERM, up to {@code grace} in 0.2 s ticks, KILL, then 1 s to go. */
    static String script(long pgid, Duration grace) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("not a process group to stop: " + pgid);
        }
        long ticks = Math.max(1, grace.toMillis() / 200);
        return "p=" + pgid + "; n=" + ticks + "\n"
                + "alive() {\n"
                + "  if ps -A -o pgid= -o stat= >/dev/null 2>&1; then\n"
                + "    ps -A -o pgid= -o stat= | awk -v p=\"$p\" '$1 == p && $2 !~ /^Z/ { a = 1 } END { exit !a }'\n"
                + "  else\n"
                + "    kill -s 0 -- \"-$p\" 2>/dev/null\n"
                + "  fi\n"
                + "}\n"
                + "tick() { sleep 0.2 2>/dev/null || sleep 1; }\n"
                + "kill -s TERM -- \"-$p\" 2>/dev/null\n"
                + "i=0\n"
                + "while alive; do\n"
                + "  if [ \"$i\" -ge \"$n\" ]; then\n"
                + "    kill -s KILL -- \"-$p\" 2>/dev/null\n"
                + "    tick; tick; tick; tick; tick\n"
                + "    alive && exit " + STILL_RUNNING + "\n"
                + "    exit 0\n"
                + "  fi\n"
                + "  tick\n"
                + "  i=$((i + 1))\n"
                + "done\n"
                + "exit 0\n";
    }

    /**
     * Runs the script for group {@code pgid} on {@code session} and waits for it: empty when nothing of the group runs
     * any more, else why the command could not be stopped (one line, for chat).
     */
    static String run(Session session, long pgid, Duration grace, Duration connectTimeout)
            throws InterruptedException {
        ChannelExec channel;
        try {
            channel = (ChannelExec) session.openChannel("exec");
            if (channel == null) {
                throw new JSchException("session is down");
            }
        } catch (JSchException e) {
            return "cannot open a second channel to stop it: " + e.getMessage();
        }
        BoundedOutput err = new BoundedOutput(MAX_OUTPUT);
        try {
            channel.setCommand(script(pgid, grace).getBytes(StandardCharsets.UTF_8));
            channel.setPty(false);
            channel.setOutputStream(OutputStream.nullOutputStream(), false);
            channel.setErrStream(err, false);
            channel.connect((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
            channel.getOutputStream().close();
            long until = System.nanoTime() + grace.plus(SLACK).toNanos();
            while (!channel.isClosed() && session.isConnected() && System.nanoTime() < until) {
                Thread.sleep(POLL_MILLIS);
            }
            if (!channel.isClosed()) {
                return session.isConnected() ? "the stop command did not finish within "
                        + TimeUnit.MILLISECONDS.toSeconds(grace.plus(SLACK).toMillis()) + " s"
                        : "connection lost while stopping it";
            }
            int exit = channel.getExitStatus();
            if (exit == 0) {
                return "";
            }
            if (exit == STILL_RUNNING) {
                return "still running after SIGKILL";
            }
            String said = err.text().strip();
            return "the stop command exited " + exit + (said.isEmpty() ? "" : ": " + Sanitize.forDisplay(said, 120));
        } catch (JSchException | IOException e) {
            return "cannot open a second channel to stop it: " + e.getMessage();
        } finally {
            channel.disconnect();
        }
    }
}
