package org.buildduty.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * A minimal IRC client that times round trips precisely: a blocking reader thread stamps every chunk it reads with
 * {@link System#nanoTime()} the moment {@code read} returns, and {@link #roundTrip} stamps the request right before
 * the socket write (TCP_NODELAY, no buffering). The waiting thread's own wake-up latency is never measured.
 *
 * <p>Replies are the PRIVMSGs from one nick to one channel ({@link #watch}). A request either carries a token the
 * target echoes (the reply containing it answers it), or none, and then the n-th reply answers the n-th request, so a
 * late reply to a timed-out request is never taken for the answer to the next one.
 */
final class TimingClient implements AutoCloseable {
    /** BENCH_DEBUG=1 prints every line the clients receive, to stderr. */
    private static final boolean DEBUG = System.getenv("BENCH_DEBUG") != null;

    private final Socket socket;
    private final OutputStream out;
    private final String nick;
    private final Thread reader;
    private final List<String> log = new ArrayList<>();
    private final List<Reply> replies = new ArrayList<>();
    private final List<Long> orderedReplies = new ArrayList<>();
    private String replyPrefix;
    private String replyChannel;
    private ReplyQueue queue;
    private int untokenedRequests;
    private boolean closed;

    private TimingClient(Socket socket, String nick) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.nick = nick;
        this.reader = new Thread(this::read, "timing-" + nick);
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects to 127.0.0.1:{@code port}, registers as {@code nick} (SASL PLAIN if an account is given). */
    static TimingClient connect(int port, String nick, String account, String password) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        TimingClient c = new TimingClient(s, nick);
        Duration wait = Duration.ofSeconds(15);
        if (account != null) {
            c.send("CAP REQ :sasl");
        }
        c.send("NICK " + nick);
        c.send("USER " + nick + " 0 * :buildduty bench client");
        if (account != null) {
            c.await(l -> l.contains(" CAP ") && (l.contains(" ACK ") || l.contains(" NAK ")), wait);
            c.send("AUTHENTICATE PLAIN");
            c.await(l -> l.startsWith("AUTHENTICATE"), wait);
            String plain = account + "\0" + account + "\0" + password;
            c.send("AUTHENTICATE " + Base64.getEncoder()
                    .encodeToString(plain.getBytes(StandardCharsets.UTF_8)));
            String result = c.await(l -> numeric(l, "903") || numeric(l, "904") || numeric(l, "905"), wait);
            if (!numeric(result, "903")) {
                c.close();
                throw new IllegalStateException("SASL login of " + account + " failed: " + result);
            }
            c.send("CAP END");
        }
        c.await(l -> numeric(l, "376") || numeric(l, "422"), wait);
        return c;
    }

    /** The client's nick: where private replies come. */
    String nick() {
        return nick;
    }

    /** Joins {@code channel} and waits for the end of its NAMES list. */
    void join(String channel) {
        send("JOIN " + channel);
        await(l -> numeric(l, "366") && l.contains(" " + channel + " "), Duration.ofSeconds(15));
    }

    /** From now on, PRIVMSGs from {@code from} to {@code channel} are replies. */
    synchronized void watch(String from, String channel) {
        replyPrefix = ":" + from + "!";
        replyChannel = " PRIVMSG " + channel + " :";
        replies.clear();
        orderedReplies.clear();
        untokenedRequests = 0;
    }

    /** From now on, replies (see {@link #watch}) go to {@code q} (with their text) instead of {@link #roundTrip}. */
    synchronized void forward(ReplyQueue q) {
        queue = q;
    }

    /** True if any line received so far, other than a reply, matches {@code match}. */
    synchronized boolean saw(Predicate<String> match) {
        return log.stream().anyMatch(match);
    }

    /**
     * Sends {@code line} and waits up to {@code timeout} for its reply; returns the round trip in nanoseconds, or -1
     * on timeout. With a {@code token}, the reply must contain it; without, the replies are counted in order.
     */
    long roundTrip(String line, String token, Duration timeout) {
        int index;
        synchronized (this) {
            index = token == null ? untokenedRequests++ : -1;
        }
        long t0 = System.nanoTime();
        send(line);
        long end = t0 + timeout.toNanos();
        synchronized (this) {
            while (true) {
                Long stamp = token != null ? takeReply(token)
                        : orderedReplies.size() > index ? orderedReplies.get(index) : null;
                if (stamp != null) {
                    return stamp - t0;
                }
                long left = end - System.nanoTime();
                if (left <= 0 || closed) {
                    return -1;
                }
                waitNanos(left);
            }
        }
    }

    /** The stamp of the first reply containing {@code token} (it may carry formatting codes), removed; or null. */
    private Long takeReply(String token) {
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i).text().contains(token)) {
                return replies.remove(i).stamp();
            }
        }
        return null;
    }

    /** Waits for a line matching {@code match} among every line received so far (or to come); returns it. */
    synchronized String await(Predicate<String> match, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        int from = 0;
        while (true) {
            for (int i = from; i < log.size(); i++) {
                if (match.test(log.get(i))) {
                    return log.get(i);
                }
            }
            from = log.size();
            long left = end - System.nanoTime();
            if (left <= 0 || closed) {
                throw new IllegalStateException(nick + ": no matching line within " + timeout.toSeconds() + " s"
                        + (closed ? " (connection closed)" : ""));
            }
            waitNanos(left);
        }
    }

    /** True if {@code line} (no tags) is the numeric reply {@code code}. */
    static boolean numeric(String line, String code) {
        String[] parts = line.split(" ", 3);
        return parts.length >= 2 && parts[1].equals(code);
    }

    void send(String line) {
        try {
            synchronized (out) {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException(nick + ": send failed: " + e.getMessage(), e);
        }
    }

    private void waitNanos(long nanos) {
        try {
            wait(Math.max(1, nanos / 1_000_000), (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void read() {
        try {
            IrcLines.read(socket.getInputStream(),
                    (l, len, stamp) -> received(new String(l, 0, len, StandardCharsets.UTF_8), stamp));
        } catch (IOException e) {
            // Closed.
        } finally {
            synchronized (this) {
                closed = true;
                if (queue != null) {
                    queue.close();
                }
                notifyAll();
            }
        }
    }

    private void received(String l, long stamp) {
        if (l.startsWith("PING ")) {
            send("PONG " + l.substring(5));
            return;
        }
        if (DEBUG) {
            System.err.println(nick + " <- " + l);
        }
        synchronized (this) {
            if (replyPrefix != null && l.startsWith(replyPrefix) && l.contains(replyChannel) && queue != null) {
                queue.add(l.substring(l.indexOf(replyChannel) + replyChannel.length()), stamp);
            } else if (replyPrefix != null && l.startsWith(replyPrefix) && l.contains(replyChannel)) {
                orderedReplies.add(stamp);
                replies.add(new Reply(l.substring(l.indexOf(replyChannel) + replyChannel.length()), stamp));
            } else {
                log.add(l);
            }
            notifyAll();
        }
    }

    /** A reply's text and when it was read. */
    private record Reply(String text, long stamp) {
    }

    @Override
    public void close() {
        try {
            send("QUIT :bench done");
        } catch (IllegalStateException e) {
            // Already gone.
        }
        try {
            socket.close();
        } catch (IOException e) {
            // Ignore.
        }
    }
}
