package org.buildduty.app;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.progress.Redactor;

/**
 * What the operator at the terminal is told about the chat connections, on stderr beside the ready line: that
 * start-up is connecting to each network (and goes on without it after a while), one line when a connector connects
 * (then and whenever it comes back), and why it cannot connect, once per reason rather than at every retry. The
 * console connector is not reported: it is the terminal.
 */
final class ConnectionReport {
    private final Set<String> reported;
    private final Redactor redactor;
    private final Map<String, String> lastProblem = new HashMap<>();
    private final Map<String, Boolean> connected = new HashMap<>();
    private PrintStream out;
    private boolean started;

    /** {@code reported}: the ids of the connectors to report (not the console's). */
    ConnectionReport(Set<String> reported, Redactor redactor) {
        this.reported = Set.copyOf(reported);
        this.redactor = Objects.requireNonNull(redactor, "redactor");
    }

    /** From now on, lines go to {@code stream} (until then, nothing is printed). */
    synchronized void printTo(PrintStream stream) {
        this.out = stream;
    }

    /** Start-up waits for {@code id} at most {@code seconds}. */
    synchronized void connecting(String id, long seconds) {
        print(id + ": connecting; start-up waits up to " + seconds + " s for it, then goes on while it keeps trying");
    }

    /** Start-up is over: from now on a connector that gives up is said here (before, start-up fails with it). */
    synchronized void started() {
        started = true;
    }

    /** A change of a connector's connection. */
    synchronized void changed(ConnectionChanged c) {
        String id = c.connectorId();
        if (!reported.contains(id)) {
            return;
        }
        String detail = redactor.redact(c.detail() == null ? "" : c.detail());
        switch (c.state()) {
            case CONNECTED -> {
                if (!connected.getOrDefault(id, false)) {
                    print(id + ": connected" + (detail.isBlank() ? "" : " (" + detail + ")"));
                }
                connected.put(id, true);
                lastProblem.remove(id);
            }
            case RECONNECTING -> {
                connected.put(id, false);
                String reason = reason(detail);
                if (!reason.equals(lastProblem.get(id))) {
                    lastProblem.put(id, reason);
                    print(id + ": " + reason + "; it keeps trying");
                }
            }
            case FAILED -> {
                connected.put(id, false);
                lastProblem.put(id, reason(detail));
                if (started) {
                    // during start-up the failure ends the start, and Main says why in one line
                    print(id + ": gave up: " + detail);
                }
            }
            case CLOSED -> connected.put(id, false);
            default -> throw new IllegalStateException("unexpected state " + c.state());
        }
    }

    /** The detail without its retry schedule ({@code ; reconnecting in 1855 ms (attempt 2)}), new at each try. */
    static String reason(String detail) {
        int cut = detail.indexOf("; reconnecting in ");
        return cut < 0 ? detail : detail.substring(0, cut);
    }

    private void print(String line) {
        if (out != null) {
            out.println("buildduty: " + line);
            out.flush();
        }
    }
}
