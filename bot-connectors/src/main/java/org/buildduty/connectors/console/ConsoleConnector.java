package org.buildduty.connectors.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.chat.ConnectorMeters;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.time.Ticker;

/**
 * The local terminal as a chat: each line on stdin is a message from {@code <id>:local} (the operator at the
 * machine), and the bot's answers are lines on stdout. End of input (Ctrl-D) calls the end-of-input hook, which
 * stops the bot cleanly. Control characters in output (terminal escape sequences from remote output) are shown as
 * {@code ?} so they cannot drive the terminal.
 */
public final class ConsoleConnector implements Connector {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleConnector.class);
    /** The room name of the console. */
    public static final String ROOM = "console";

    private final String id;
    private final InputStream in;
    private final PrintStream out;
    private final Ticker ticker;
    private final Runnable onEndOfInput;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean closed;
    private volatile ConnectorMeters meters = ConnectorMeters.NONE;

    public ConsoleConnector(String id, InputStream in, PrintStream out, Ticker ticker, Runnable onEndOfInput) {
        this.id = Objects.requireNonNull(id, "id");
        this.in = Objects.requireNonNull(in, "in");
        this.out = Objects.requireNonNull(out, "out");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.onEndOfInput = Objects.requireNonNull(onEndOfInput, "onEndOfInput");
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.terminal();
    }

    /** Counts each line printed (a message of three lines counts three); the terminal has no rate limit. */
    @Override
    public void useMeters(ConnectorMeters m) {
        meters = Objects.requireNonNull(m, "meters");
    }

    @Override
    public void start(ChatEvent.Listener listener) {
        listener.onEvent(new ConnectionChanged(id, ConnectionChanged.State.CONNECTED, "stdin"));
        Thread reader = new Thread(() -> read(listener), "buildduty-console");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(ChatEvent.Listener listener) {
        Identity operator = new Identity(id, "local");
        ChatAddress room = ChatAddress.of(id, ROOM);
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, decoder))) {
            String line;
            while (!closed && (line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    listener.onEvent(new ChatMessage(room, operator, "local", line, true, ticker.now()));
                } catch (RuntimeException e) {
                    LOG.error("console listener failed", e);
                }
            }
        } catch (IOException e) {
            LOG.warn("console input failed: {}", e.toString());
        }
        if (!closed) {
            listener.onEvent(new ConnectionChanged(id, ConnectionChanged.State.CLOSED, "end of input"));
            onEndOfInput.run();
        }
    }

    /** Any room name without a thread: the terminal shows every announcement. */
    @Override
    public boolean takes(ChatAddress to) {
        return to.thread() == null;
    }

    @Override
    public MessageRef send(ChatAddress to, String text) {
        String safe = neutralize(text);
        synchronized (out) {
            out.println(safe);
            out.flush();
        }
        ConnectorMeters m = meters;
        int lines = lineCount(safe);
        for (int i = 0; i < lines; i++) {
            m.messageSent();
        }
        return new MessageRef(to, Long.toString(sent.incrementAndGet()));
    }

    /** Lines {@code text} prints as: one, plus one per newline. */
    static int lineCount(String text) {
        int n = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    /** Replaces control characters other than tab and newline (and CR, which is dropped) with '?'. */
    static String neutralize(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r') {
                continue;
            }
            boolean control = (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0);
            sb.append(control ? '?' : c);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (out) {
            out.flush();
        }
    }
}
