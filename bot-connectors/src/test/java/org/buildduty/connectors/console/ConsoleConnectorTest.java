package org.buildduty.connectors.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.testing.FakeTicker;

class ConsoleConnectorTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String NL = System.lineSeparator();

    private final FakeTicker ticker = new FakeTicker();
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final BlockingQueue<ChatEvent> events = new LinkedBlockingQueue<>();
    private final CountDownLatch ended = new CountDownLatch(1);

    private ConsoleConnector console(InputStream in) {
        return new ConsoleConnector("console", in, out, ticker, ended::countDown);
    }

    private static InputStream input(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Events until (and including) the CLOSED one. */
    private List<ChatEvent> eventsUntilClosed() throws InterruptedException {
        List<ChatEvent> got = new ArrayList<>();
        while (true) {
            ChatEvent e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(e).as("an event within %s; got %s", WAIT, got).isNotNull();
            got.add(e);
            if (e instanceof ConnectionChanged c && c.state() == ConnectionChanged.State.CLOSED) {
                return got;
            }
        }
    }

    private static List<String> texts(List<ChatEvent> events) {
        return events.stream().filter(ChatMessage.class::isInstance).map(ChatMessage.class::cast)
                .map(ChatMessage::text).toList();
    }

    private String written() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachNonBlankLineIsADirectMessageFromTheLocalOperator() throws InterruptedException {
        ConsoleConnector c = console(input("help\n\n   \n\t\nops --recent\r\nwhoami"));
        c.start(events::add);
        List<ChatEvent> got = eventsUntilClosed();

        assertThat(got.get(0)).isEqualTo(new ConnectionChanged("console", ConnectionChanged.State.CONNECTED, "stdin"));
        assertThat(texts(got)).containsExactly("help", "ops --recent", "whoami");
        List<ChatMessage> messages = got.stream().filter(ChatMessage.class::isInstance).map(ChatMessage.class::cast)
                .toList();
        assertThat(messages).allSatisfy(m -> {
            assertThat(m.sender()).isEqualTo(new Identity("console", "local"));
            assertThat(m.senderName()).isEqualTo("local");
            assertThat(m.room()).isEqualTo(ChatAddress.of("console", ConsoleConnector.ROOM));
            assertThat(m.connectorId()).isEqualTo("console");
            assertThat(m.direct()).isTrue();
            assertThat(m.receivedAt()).isEqualTo(ticker.now());
        });
    }

    @Test
    void endOfInputCallsTheHookAndReportsClosed() throws InterruptedException {
        ConsoleConnector c = console(input("help\n"));
        c.start(events::add);
        List<ChatEvent> got = eventsUntilClosed();
        assertThat(got).last().isEqualTo(new ConnectionChanged("console", ConnectionChanged.State.CLOSED,
                "end of input"));
        assertThat(ended.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(got).filteredOn(e -> e instanceof ConnectionChanged).hasSize(2);
    }

    @Test
    void emptyInputEndsAtOnce() throws InterruptedException {
        ConsoleConnector c = console(input(""));
        c.start(events::add);
        assertThat(texts(eventsUntilClosed())).isEmpty();
        assertThat(ended.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void malformedUtf8IsReplacedNotFatal() throws InterruptedException {
        byte[] bad = {'o', 'k', ' ', (byte) 0xff, (byte) 0xc3, ' ', 'e', 'n', 'd', '\n'};
        byte[] good = "after ünïcödé\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bad.length + good.length];
        System.arraycopy(bad, 0, all, 0, bad.length);
        System.arraycopy(good, 0, all, bad.length, good.length);
        ConsoleConnector c = console(new ByteArrayInputStream(all));
        c.start(events::add);
        List<String> texts = texts(eventsUntilClosed());
        assertThat(texts).hasSize(2);
        assertThat(texts.get(0)).startsWith("ok ").endsWith(" end").contains("\uFFFD");
        assertThat(texts.get(1)).isEqualTo("after ünïcödé");
    }

    @Test
    void aThrowingListenerDoesNotStopTheReader() throws InterruptedException {
        ConsoleConnector c = console(input("boom\nnext\n"));
        c.start(e -> {
            if (e instanceof ChatMessage m && m.text().equals("boom")) {
                throw new IllegalStateException("listener bug");
            }
            events.add(e);
        });
        assertThat(texts(eventsUntilClosed())).containsExactly("next");
    }

    @Test
    void sendWritesOneLinePerMessage() {
        ConsoleConnector c = console(input(""));
        ChatAddress room = ChatAddress.of("console", ConsoleConnector.ROOM);
        MessageRef first = c.send(room, "hello");
        MessageRef second = c.send(room, "two\nlines");
        assertThat(written()).isEqualTo("hello" + NL + "two\nlines" + NL);
        assertThat(first.address()).isEqualTo(room);
        assertThat(first.id()).isNotEqualTo(second.id());
    }

    @Test
    void metersCountEachLinePrinted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ConsoleConnector c = console(input(""));
        c.useMeters(new BotMetrics(registry).connector("console"));
        ChatAddress room = ChatAddress.of("console", ConsoleConnector.ROOM);
        c.send(room, "hello");
        c.send(room, "three\r\nshort\nlines");
        assertThat(registry.get("buildduty.messages.sent").tag("connector", "console").counter().count())
                .isEqualTo(4);
        assertThat(registry.get("buildduty.ratelimit.waits").tag("connector", "console").timer().count()).isZero();
    }

    @Test
    void sendNeutralisesControlCharacters() {
        ConsoleConnector c = console(input(""));
        ChatAddress room = ChatAddress.of("console", ConsoleConnector.ROOM);
        c.send(room, "\u001b[31mred\u001b[0m\r\ncol1\tcol2\u0007\u0000x\u007fy\u009bz\u0085");
        assertThat(written()).isEqualTo("?[31mred?[0m\ncol1\tcol2??x?y?z?" + NL);
    }

    @Test
    void neutralizeKeepsOrdinaryText() {
        assertThat(ConsoleConnector.neutralize("plain ünïcödé ✓ · […]")).isEqualTo("plain ünïcödé ✓ · […]");
        assertThat(ConsoleConnector.neutralize("a\r\rb")).isEqualTo("ab");
        assertThat(ConsoleConnector.neutralize("")).isEmpty();
    }

    @Test
    void isATerminal() {
        ConsoleConnector c = console(input(""));
        assertThat(c.id()).isEqualTo("console");
        assertThat(c.capabilities()).isEqualTo(Capabilities.terminal());
        assertThat(c.capabilities().liveOutput()).isTrue();
        assertThat(c.healthy()).isTrue();
    }

    @Test
    void closedConnectorDoesNotRunTheEndOfInputHook() throws IOException, InterruptedException {
        PipedOutputStream feed = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(feed);
        ConsoleConnector c = console(in);
        c.start(events::add);
        feed.write("help\n".getBytes(StandardCharsets.UTF_8));
        feed.flush();
        ChatEvent connected = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(connected).isInstanceOf(ConnectionChanged.class);
        ChatEvent help = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(help).isInstanceOf(ChatMessage.class);
        c.close();
        feed.close();
        assertThat(ended.await(300, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(events).isEmpty();
    }
}
