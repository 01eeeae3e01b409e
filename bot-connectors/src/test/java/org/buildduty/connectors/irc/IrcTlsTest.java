package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.buildduty.connectors.irc.IrcTesting.started;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.connectors.testing.TestCertificates;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.time.Ticker;
import org.buildduty.exec.testing.ServerFixture;

/** The connector over TLS against the real test network's TLS port, trusting its test CA or not. */
class IrcTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** A certificate problem fails at once, well before {@link #WAIT}. */
    private static final Duration AT_ONCE = Duration.ofSeconds(8);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir).with("alice", "alicepw123", "botacct", "botpw12345"));

    private static IrcConfig.Builder config(String nick, int port, String... channels) {
        return IrcTesting.config(nick, port, channels).tls(true);
    }

    @Test
    void connectsOverTlsTrustingTheTestCaWithSaslAndAccountIdentity() throws Exception {
        RecordingListener events = new RecordingListener();
        IrcConfig cfg = config("bdtls1", NET.get().tlsPort(), "#tls").tlsTrust(NET.get().caFile()).build();
        assertThat(cfg.tlsTrust()).contains(NET.get().caFile());
        try (IrcConnector bot = started(cfg, events)) {
            var alice = CompletableFuture.supplyAsync(
                    () -> RawIrcClient.connectUnchecked(NET.get().port(), "alice", "alice", "alicepw123"));
            bot.awaitConnected(WAIT);
            assertThat(events.state(ConnectionChanged.State.CONNECTED).detail())
                    .contains("127.0.0.1:" + NET.get().tlsPort()).contains("account botacct");
            try (RawIrcClient a = alice.join()) {
                a.join("#tls");
                a.privmsg("#tls", "!whoami");
                ChatMessage m = events.message(x -> x.text().equals("!whoami"));
                assertThat(m.sender()).isEqualTo(new Identity("irc", "alice"));
                assertThat(m.room()).isEqualTo(ChatAddress.of("irc", "#tls"));
                bot.send(m.room(), "you are alice, over TLS");
                String line = a.await(l -> l.contains(" PRIVMSG #tls :"), WAIT);
                assertThat(line).contains("bdtls1!").endsWith(":you are alice, over TLS");
            }
        }
    }

    @Test
    void theSystemCasDoNotTrustThePrivateCaAndThatIsFinalAtFirstConnection() {
        IrcConfig cfg = config("bdtls2", NET.get().tlsPort()).build();
        assertFailsAtOnce(cfg, "TLS handshake with 127.0.0.1:" + NET.get().tlsPort()
                + " failed: certificate not trusted by the system CAs (PKIX path building failed)");
    }

    @Test
    void aCaFileOfAnotherCaIsNotTrusted() throws Exception {
        Path other = TestCertificates.ca(dir.resolve("other"));
        IrcConfig cfg = config("bdtls3", NET.get().tlsPort()).tlsTrust(other).build();
        assertFailsAtOnce(cfg, "TLS handshake with 127.0.0.1:" + NET.get().tlsPort()
                + " failed: certificate not trusted by the CAs in " + other + " (PKIX path building failed)");
    }

    @Test
    void tlsAgainstThePlainPortFailsWithAClearReasonWithinTheConnectTimeout() throws Exception {
        // InspIRCd says nothing to an unregistered client's garbage, so the TLS hello goes unanswered
        RecordingListener events = new RecordingListener();
        IrcConfig cfg = config("bdtls4", NET.get().port()).tlsTrust(NET.get().caFile())
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        try (IrcConnector bot = new IrcConnector(cfg, Ticker.system())) {
            long t0 = System.nanoTime();
            bot.start(events);
            ConnectionChanged retry = events.state(ConnectionChanged.State.RECONNECTING);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(AT_ONCE);
            String reason = "TLS handshake with 127.0.0.1:" + NET.get().port()
                    + " failed: no answer to the TLS hello within 2 s (a plain IRC port?)";
            assertThat(retry.detail()).startsWith(reason + "; reconnecting in").doesNotContain("\n");
            assertThatThrownBy(() -> bot.awaitConnected(Duration.ofMillis(200)))
                    .isInstanceOf(BuilddutyException.class).hasMessageContaining(reason);
            assertThat(bot.healthy()).as("a silent server may be slow: still trying").isTrue();
        }
    }

    @Test
    void tlsAgainstAPlainServerThatSpeaksFirstIsFinalAtFirstConnection() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> greetLikeAPlainIrcd(plain), "plain-ircd");
            server.setDaemon(true);
            server.start();
            IrcConfig cfg = config("bdtls6", plain.getLocalPort()).build();
            assertFailsAtOnce(cfg, "TLS handshake with 127.0.0.1:" + plain.getLocalPort()
                    + " failed: the server does not speak TLS on this port (a plain IRC port?)");
        }
    }

    /** Like Libera's ircd: a NOTICE as soon as a client connects, before it has said anything. */
    private static void greetLikeAPlainIrcd(ServerSocket plain) {
        while (!plain.isClosed()) {
            try (Socket s = plain.accept()) {
                s.getOutputStream().write(":irc.example NOTICE * :*** Checking Ident\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                s.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // closed by the client or by the test
            }
        }
    }

    @Test
    void aCaFileOfBothCasTrustsEither() throws Exception {
        Path other = TestCertificates.ca(dir.resolve("both"));
        Path both = dir.resolve("both/both.pem");
        Files.writeString(both, "# two CAs\n" + Files.readString(other) + "\n" + Files.readString(NET.get().caFile()));
        RecordingListener events = new RecordingListener();
        try (IrcConnector bot = started(config("bdtls5", NET.get().tlsPort()).tlsTrust(both).build(), events)) {
            bot.awaitConnected(WAIT);
            assertThat(bot.connected()).isTrue();
        }
    }

    private static void assertFailsAtOnce(IrcConfig cfg, String reason) {
        RecordingListener events = new RecordingListener();
        try (IrcConnector bot = started(cfg, events)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> bot.awaitConnected(WAIT)).isInstanceOf(BuilddutyException.class)
                    .hasMessage("IRC irc: " + reason)
                    .hasMessageNotContaining("\n");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(AT_ONCE);
            assertThat(bot.healthy()).isFalse();
            assertThat(events.states()).contains(ConnectionChanged.State.FAILED)
                    .doesNotContain(ConnectionChanged.State.CONNECTED, ConnectionChanged.State.RECONNECTING);
        }
    }
}
