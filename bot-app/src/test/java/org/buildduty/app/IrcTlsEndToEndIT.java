package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.connectors.testing.TestCertificates;

/**
 * The real jar on the test network's TLS port, trusting the network's private CA with {@code tls_ca_file}: it
 * answers a registered user; trusting another CA, it stops at start-up with one line saying why; a missing CA file
 * is a configuration error before any connection.
 */
class IrcTlsEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BOT_PASSWORD = "botpass-4711";
    private static final String CHANNEL = "#releng";

    @TempDir
    static Path netDir;
    static IrcNetwork net;

    @TempDir
    Path dir;

    @BeforeAll
    static void network() throws IOException {
        net = IrcNetwork.start(netDir);
        net.register("buildduty", BOT_PASSWORD, "alice", "alicepw123");
    }

    @AfterAll
    static void stopNetwork() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void answersOverTlsTrustingThePrivateCa() throws Exception {
        writeConfig(net.caFile());
        try (BotProcess bot = start();
                RawIrcClient alice = RawIrcClient.connect(net.port(), "alice", "alice", "alicepw123",
                        "account-tag")) {
            bot.expectErr("buildduty ready", WAIT);
            alice.join(CHANNEL);
            alice.privmsg(CHANNEL, "!whoami");
            String answer = alice.await(l -> {
                String bare = RawIrcClient.stripTags(l);
                return bare.startsWith(":buildduty!") && bare.contains(" PRIVMSG " + CHANNEL + " :")
                        && bare.contains("testnet:alice");
            }, WAIT);
            assertThat(answer).contains("releng");
        }
        assertThat(Files.readString(dir.resolve("buildduty.log"))).contains("CONNECTED 127.0.0.1:" + net.tlsPort());
    }

    @Test
    void anotherCaIsAOneLineStartUpError() throws Exception {
        Path other = TestCertificates.ca(dir.resolve("other-ca"));
        writeConfig(other);
        try (BotProcess bot = start()) {
            assertThat(bot.waitFor(WAIT)).isEqualTo(2);
            assertThat(bot.stderr()).filteredOn(l -> l.startsWith("buildduty: IRC testnet:")).singleElement()
                    .asString().contains("TLS handshake with 127.0.0.1:" + net.tlsPort())
                    .contains("certificate not trusted by the CAs in " + other);
            assertThat(String.join("\n", bot.stderr())).doesNotContain("at org.").doesNotContain(BOT_PASSWORD);
        }
    }

    @Test
    void aMissingCaFileIsAConfigurationError() throws Exception {
        Path missing = dir.resolve("no-such-ca.pem");
        writeConfig(missing);
        try (BotProcess bot = start()) {
            assertThat(bot.waitFor(WAIT)).isEqualTo(2);
            assertThat(bot.stderr()).anyMatch(l -> l.contains("TLS CA file " + missing + ": no such file"));
            assertThat(String.join("\n", bot.stderr())).doesNotContain("at org.");
        }
    }

    private BotProcess start() throws IOException {
        return BotProcess.start(dir, List.of("--config", "buildduty.yml"), Map.of("IRC_PASSWORD", BOT_PASSWORD));
    }

    private void writeConfig(Path caFile) throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { nick: buildduty, journal: data/bot.db, runbooks: runbooks, web: "off" }
                connectors:
                  - id: testnet
                    type: irc
                    server: 127.0.0.1
                    port: %d
                    tls: true
                    tls_ca_file: %s
                    sasl: { account: buildduty, password_env: IRC_PASSWORD }
                    channels: ["%s"]
                roles:
                  releng: ["testnet:alice"]
                """.formatted(net.tlsPort(), caFile, CHANNEL));
    }
}
