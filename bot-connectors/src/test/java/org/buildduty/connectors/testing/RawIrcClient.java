package org.buildduty.connectors.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A bare IRC client over a socket for tests: registers (optionally with IRCv3 caps and SASL PLAIN), sends raw lines,
 * and waits for received lines matching a predicate. Answers server PINGs itself.
 *
 * <p>Every received line is kept; {@link #await} looks only at lines after the last line it matched, so a test can
 * wait for a sequence of lines in order.
 *
 * <pre>{@code
 * try (RawIrcClient c = RawIrcClient.connect(port, "carol", null, null, "account-tag")) {
 *     c.join("#t");
 *     c.privmsg("#t", "hello");
 *     c.await(l -> l.contains("PRIVMSG #t :hi"), Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class RawIrcClient implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(15);

    private final Socket socket;
    private final OutputStream out;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private String nick;
    private int cursor;
    private boolean eof;

    private RawIrcClient(Socket socket, String nick) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.nick = nick;
        this.reader = new Thread(this::read, "raw-irc-" + nick);
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects and registers with no caps and no SASL. */
    public static RawIrcClient connect(int port, String nick) throws IOException {
        return connect(port, nick, null, null);
    }

    /**
     * Connects and registers, requesting {@code caps} (space separated, may be empty) and logging in with SASL PLAIN
     * when {@code saslAccount} is set. Fails (AssertionError) if SASL fails or registration does not finish.
     */
    public static RawIrcClient connect(int port, String nick, String saslAccount, String saslPassword, String... caps)
            throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        RawIrcClient c = new RawIrcClient(s, nick);
        List<String> req = new ArrayList<>(List.of(caps));
        if (saslAccount != null) {
            req.add("sasl");
        }
        boolean negotiate = !req.isEmpty();
        if (negotiate) {
            c.send("CAP LS 302");
        }
        c.send("NICK " + nick);
        c.send("USER " + nick + " 0 * :raw test client " + nick);
        if (negotiate) {
            c.await(l -> l.contains(" CAP ") && l.contains(" LS "), WAIT);
            c.send("CAP REQ :" + String.join(" ", req));
            c.await(l -> l.contains(" CAP ") && (l.contains(" ACK ") || l.contains(" NAK ")), WAIT);
            if (saslAccount != null) {
                c.send("AUTHENTICATE PLAIN");
                c.await(l -> stripTags(l).matches("^AUTHENTICATE :?\\+$"), WAIT);
                String plain = saslAccount + "\0" + saslAccount + "\0" + saslPassword;
                c.send("AUTHENTICATE " + Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8)));
                String result = c.await(l -> hasNumeric(l, "903") || hasNumeric(l, "904") || hasNumeric(l, "905"),
                        WAIT);
                if (!hasNumeric(result, "903")) {
                    c.close();
                    throw new AssertionError("SASL login of " + saslAccount + " failed: " + result);
                }
            }
            c.send("CAP END");
        }
        c.await(l -> hasNumeric(l, "376") || hasNumeric(l, "422"), WAIT);
        return c;
    }

    /** {@link #connect} requesting {@code account-tag}, for use in futures: IOException becomes unchecked. */
    public static RawIrcClient connectUnchecked(int port, String nick, String saslAccount, String saslPassword) {
        try {
            return connect(port, nick, saslAccount, saslPassword, "account-tag");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True if {@code line} is the numeric reply {@code code} (after optional tags and the source). */
    public static boolean hasNumeric(String line, String code) {
        String[] parts = stripTags(line).split(" ", 3);
        return parts.length >= 2 && parts[1].equals(code);
    }

    /** The line without its IRCv3 tags. */
    public static String stripTags(String line) {
        if (line.startsWith("@")) {
            int sp = line.indexOf(' ');
            return sp < 0 ? "" : line.substring(sp + 1);
        }
        return line;
    }

    /** The value of tag {@code key} on a line, if present. */
    public static Optional<String> tag(String line, String key) {
        if (!line.startsWith("@")) {
            return Optional.empty();
        }
        int sp = line.indexOf(' ');
        for (String t : line.substring(1, sp < 0 ? line.length() : sp).split(";")) {
            int eq = t.indexOf('=');
            String k = eq < 0 ? t : t.substring(0, eq);
            if (k.equals(key)) {
                return Optional.of(eq < 0 ? "" : t.substring(eq + 1));
            }
        }
        return Optional.empty();
    }

    public String nick() {
        return nick;
    }

    /** Sends one raw line (CRLF added). */
    public void send(String line) {
        try {
            synchronized (out) {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException("send failed: " + e.getMessage(), e);
        }
    }

    /**
     * Sends one raw line given as bytes, CRLF added, as they are: invalid UTF-8, a lone CR or a NUL reach the server
     * unchanged (what a broken or hostile client sends).
     */
    public void sendBytes(byte[] line) {
        try {
            synchronized (out) {
                out.write(line);
                out.write(new byte[] {'\r', '\n'});
                out.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException("send failed: " + e.getMessage(), e);
        }
    }

    /** Joins a channel and waits for the end of its names list. */
    public void join(String channel) {
        send("JOIN " + channel);
        await(l -> hasNumeric(l, "366") && l.contains(" " + channel + " "), WAIT);
    }

    public void privmsg(String target, String text) {
        send("PRIVMSG " + target + " :" + text);
    }

    /**
     * Takes {@code newNick} once its holder's QUIT has gone through: the server's 433 (in use) is retried every
     * 50 ms for at most {@link #WAIT}.
     */
    public void takeNick(String newNick) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            send("NICK " + newNick);
            String answer = await(l -> l.contains(" NICK ") || hasNumeric(l, "433"), WAIT);
            if (!hasNumeric(answer, "433")) {
                nick = newNick;
                return;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("nick " + newNick + " still taken after " + WAIT);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Quits and waits until the server has closed the link. */
    public void quit() {
        send("QUIT :gone");
        await(l -> l.startsWith("ERROR"), WAIT);
    }

    /** Changes nick and waits until the server confirms it. */
    public void changeNick(String newNick) {
        send("NICK " + newNick);
        String old = nick;
        await(l -> stripTags(l).startsWith(":" + old + "!") && l.contains(" NICK "), WAIT);
        nick = newNick;
    }

    /**
     * Waits for the first line after the last matched one that satisfies {@code p}, and returns it. Fails with the
     * lines seen if none comes within {@code timeout} or the connection ends.
     */
    public String await(Predicate<String> p, Duration timeout) {
        List<String> got = awaitThrough(p, timeout);
        return got.get(got.size() - 1);
    }

    /**
     * Like {@link #await}, but returns every line after the last matched one up to and including the line that
     * satisfies {@code p}: what arrived in between, in order.
     */
    public List<String> awaitThrough(Predicate<String> p, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (int i = cursor; i < lines.size(); i++) {
                    if (p.test(lines.get(i))) {
                        List<String> got = List.copyOf(lines.subList(cursor, i + 1));
                        cursor = i + 1;
                        return got;
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0 || eof) {
                    throw new AssertionError((eof ? "connection closed" : "timed out") + " waiting in " + nick
                            + "; lines since the last match: " + lines.subList(cursor, lines.size()));
                }
                try {
                    lines.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Every line received so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** True once the server closed the connection. */
    public boolean closed() {
        synchronized (lines) {
            return eof;
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (stripTags(line).startsWith("PING ")) {
                    send("PONG " + stripTags(line).substring(5));
                }
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException | IllegalStateException e) {
            // the socket was closed
        } finally {
            synchronized (lines) {
                eof = true;
                lines.notifyAll();
            }
        }
    }

    /** Sends QUIT and closes the socket. */
    @Override
    public void close() {
        try {
            if (!socket.isClosed()) {
                try {
                    send("QUIT :bye");
                } catch (IllegalStateException ignored) {
                    // already gone
                }
                socket.close();
            }
            reader.join(2000);
        } catch (IOException ignored) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
