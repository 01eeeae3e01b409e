package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.app.IrcBot.BOT_PASSWORD;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.exec.testing.ServerFixture;

/**
 * What the terminal shows while the real jar starts with an IRC network it cannot reach yet: at once that it is
 * connecting, why it cannot (once per reason, not at every retry), one line when it connects; and SIGTERM during the
 * wait stops it cleanly.
 */
class StartupIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir).with("buildduty", BOT_PASSWORD));

    @TempDir
    Path dir;

    private BotProcess start(String connectorLines) throws Exception {
        IrcBot.writeConfig(dir, null, connectorLines, "");
        return BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of("IRC_PASSWORD", BOT_PASSWORD));
    }

    @Test
    void aRefusedTlsHandshakeIsSaidOnceAndEndsTheStartWithStatus2() throws Exception {
        // a plain-text server on the TLS port: the bot gives up at once (retrying would not help), saying so once
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> answerPlainText(plain), "plain-irc");
            server.setDaemon(true);
            server.start();
            try (BotProcess bot = start("port: " + plain.getLocalPort() + "\n    tls: true")) {
                assertThat(bot.waitFor(WAIT)).isEqualTo(2);
                List<String> said = bot.stderr().stream().filter(l -> l.contains("does not speak TLS")).toList();
                assertThat(said).singleElement().asString().startsWith("buildduty: IRC testnet: TLS handshake");
                assertThat(bot.stderr()).first().asString()
                        .startsWith("buildduty: testnet: connecting; start-up waits up to 30 s");
            }
        }
    }

    @Test
    void aServerThatDoesNotAnswerIsSaidOnceWhileItRetriesAndSigtermDuringTheWaitStopsCleanly() throws Exception {
        NET.get().stopIrcd();
        try (BotProcess bot = start("port: " + NET.get().port() + "\n    tls: false")) {
            bot.expectErr("buildduty: testnet: connecting; start-up waits up to 30 s", Duration.ofSeconds(15));
            bot.expectErr("; it keeps trying", WAIT);
            // the connector retries with backoff (about 2 s, then 4 s): the same reason is not said again
            Thread.sleep(7_000);
            assertThat(bot.stderr().stream().filter(l -> l.endsWith("; it keeps trying"))).hasSize(1);
            assertThat(bot.stderr()).noneMatch(l -> l.contains("buildduty ready"));

            int status = bot.terminate(Duration.ofSeconds(30));
            assertThat(status).as("SIGTERM: the JVM's status for it, or 0").isIn(0, 143);
            assertThat(bot.stderr()).noneMatch(l -> l.contains("Exception in thread"))
                    .noneMatch(l -> l.contains("Shutdown in progress")).noneMatch(l -> l.startsWith("\tat "));
        } finally {
            NET.get().startIrcdAgain();
        }
    }

    private static void answerPlainText(ServerSocket plain) {
        while (!plain.isClosed()) {
            try (Socket c = plain.accept()) {
                c.getOutputStream().write(":irc.test NOTICE * :*** Looking up your hostname...\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                c.getOutputStream().flush();
                Thread.sleep(200);
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    @Test
    void aNetworkThatComesUpDuringTheWaitIsAnnouncedConnectedOnce() throws Exception {
        NET.get().stopIrcd();
        // no SASL: the services come back a moment after the server, and a login without them is refused for good
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { nick: buildduty, journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors:
                  - { id: testnet, type: irc, server: 127.0.0.1, port: %d, tls: false, channels: ["#releng"] }
                """.formatted(NET.get().port()));
        Files.createDirectories(dir.resolve("runbooks"));
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of())) {
            bot.expectErr("buildduty: testnet: connecting", Duration.ofSeconds(15));
            bot.expectErr("; it keeps trying", WAIT);
            NET.get().startIrcdAgain();
            bot.expectErr("buildduty: testnet: connected", WAIT);
            bot.expectErr("buildduty ready", WAIT);
            assertThat(bot.stderr().stream().filter(l -> l.startsWith("buildduty: testnet: connected"))).hasSize(1);
        } finally {
            if (!NET.get().ircdRunning()) {
                NET.get().startIrcdAgain();
            }
        }
    }
}
