package org.buildduty.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One thing measured by {@link IrcRoundTripBench}: a responder (a bot, or the raw echo), the {@link TimingClient} that
 * asks it in private messages, what to send (with a unique token to echo, or {@code !whoami} matched by order), and the
 * round trips so far.
 */
final class Target implements AutoCloseable {
    private final String name;
    private final String to;
    private final String command;
    private final boolean echo;
    private final TimingClient client;
    private final AutoCloseable responder;
    private final List<Long> rtts = new ArrayList<>();
    private int sent;
    private int lost;
    private int lostInWarmUp;

    /**
     * Requests go to {@code to} (the responder's nick: a private message). {@code echo}: send {@code COMMAND TOKEN}
     * and wait for the token; otherwise send {@code COMMAND} and take the replies in order. {@code responder} is closed
     * with the target (a peer process or socket).
     */
    Target(String name, String to, String command, boolean echo, TimingClient client, AutoCloseable responder) {
        this.name = name;
        this.to = to;
        this.command = command;
        this.echo = echo;
        this.client = client;
        this.responder = responder;
    }

    String name() {
        return name;
    }

    String command() {
        return echo ? command + " TOKEN" : command;
    }

    /** Sends request number {@code sent} to the responder and records its round trip unless it is warm-up. */
    void request(int warmUp, Duration timeout) {
        String token = echo ? "tk" + sent + "x" + Long.toString(System.nanoTime() & 0xffffff, 36) : null;
        String text = echo ? command + " " + token : command;
        long rtt = client.roundTrip("PRIVMSG " + to + " :" + text, token, timeout);
        boolean counted = sent >= warmUp;
        sent++;
        if (rtt < 0) {
            if (counted) {
                lost++;
            } else {
                lostInWarmUp++;
            }
        } else if (counted) {
            rtts.add(rtt);
        }
    }

    int sent() {
        return sent;
    }

    int lost() {
        return lost;
    }

    int lostInWarmUp() {
        return lostInWarmUp;
    }

    int counted() {
        return rtts.size();
    }

    /** The counted round trips in the order they were measured, in microseconds, one per line. */
    String roundTripsMicros() {
        StringBuilder sb = new StringBuilder();
        for (long rtt : rtts) {
            sb.append(rtt / 1000).append('\n');
        }
        return sb.toString();
    }

    /** The {@code p}-th percentile (nearest rank) of the counted round trips, in milliseconds; NaN if none. */
    double percentileMs(double p) {
        return Latencies.percentileMs(rtts, p);
    }

    /** One row of the results table. */
    String row() {
        return String.format(Locale.ROOT, "%-34s %-14s %5d %8d %5d %9.3f %9.3f %9.3f %9.3f", name, command(), sent,
                counted(), lost, percentileMs(50), percentileMs(95), percentileMs(99), percentileMs(100));
    }

    /** Closes the client, then the responder (stopping a peer process by its PID). */
    @Override
    public void close() {
        client.close();
        if (responder != null) {
            try {
                responder.close();
            } catch (Exception e) {
                System.err.println("closing " + name + ": " + e);
            }
        }
    }
}
