package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.app.IrcBot.BOT_PASSWORD;
import static org.buildduty.app.IrcBot.CHANNEL;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.connectors.testing.TestCertificates;
import org.buildduty.exec.testing.ServerFixture;

/**
 * The real jar on a real IRC network (InspIRCd + Atheme on 127.0.0.1): the bot logs in with SASL on the port with
 * Libera-like flood limits, identifies senders by their services account, survives a server restart in the middle
 * of an operation, and paces a noisy operation so the server never disconnects it; on the TLS port it trusts the
 * network's private CA with {@code tls_ca_file}, and another CA or a missing CA file stops it with one line.
 */
class IrcEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir).with("buildduty", BOT_PASSWORD, "alice", "alicepw123",
                    "bob", "bobpw12345"));

    @TempDir
    Path dir;

    @Test
    void relengRunsACommandWhileAnotherAccountAndAnImpostorWithHerNickAreRefused() throws Exception {
        writeConfig(dir, BotFiles.HELLO);
        try (BotProcess bot = startBot(dir, BOT_PASSWORD); RawIrcClient alice = alice()) {
            alice.join(CHANNEL);
            alice.privmsg(CHANNEL, "!whoami");
            assertThat(alice.await(fromBot(CHANNEL, "testnet:alice"), WAIT)).contains("releng");

            alice.privmsg(CHANNEL, "buildduty: run hello --who 'x; touch CANARY'");
            alice.await(fromBot(CHANNEL, "hello #1"), WAIT);
            alice.await(fromBot(CHANNEL, "succeeded"), WAIT);
            assertThat(dir.resolve("CANARY")).doesNotExist();

            try (RawIrcClient bob = RawIrcClient.connect(NET.get().port(), "bob", "bob", "bobpw12345", "account-tag")) {
                bob.join(CHANNEL);
                bob.privmsg(CHANNEL, "!run hello");
                assertThat(bob.await(fromBot(CHANNEL, "not allowed"), WAIT)).contains("needs role releng");
                bob.privmsg("buildduty", "whoami");
                assertThat(bob.await(fromBot("bob", "testnet:bob"), WAIT)).doesNotContain("releng");
            }

            alice.send("QUIT :bye");
            try (RawIrcClient impostor = RawIrcClient.connect(NET.get().port(), "mallory")) {
                impostor.changeNick("alice");
                impostor.join(CHANNEL);
                impostor.privmsg(CHANNEL, "!run hello");
                String refused = impostor.await(fromBot(CHANNEL, "not allowed"), WAIT);
                assertThat(refused).contains("needs role releng").contains("(you are testnet:?alice)");
                impostor.privmsg(CHANNEL, "!whoami");
                assertThat(impostor.await(fromBot(CHANNEL, "you are"), WAIT)).doesNotContain("testnet:alice");
            }
            assertThat(bot.stderr()).noneMatch(l -> l.contains(BOT_PASSWORD));
        }
    }

    @Test
    void aRunbookLimitedToRelengIsRefusedElsewhereAndAPrivateApprovalIsAnsweredWithTheRoom() throws Exception {
        IrcBot.writeConfig(dir, BotFiles.HELLO.replace("role: releng", "role: releng\nrooms: [\"testnet:#releng\"]"),
                "port: " + NET.get().floodPort() + "\n    tls: false", "", List.of(CHANNEL, "#ops"));
        Files.writeString(dir.resolve("runbooks/gated.yml"), """
                name: gated
                role: releng
                approval: { role: releng, required: 1, self_approve: true }
                steps:
                  - name: greet
                    local: { command: "echo gated" }
                """);
        try (BotProcess bot = startBot(dir, BOT_PASSWORD); RawIrcClient alice = alice()) {
            alice.join("#ops");
            alice.join(CHANNEL);
            alice.privmsg("#ops", "!run hello");
            assertThat(alice.await(fromBot("#ops", "not here"), WAIT))
                    .contains("not here: hello starts only in testnet:#releng (this is testnet:#ops)");
            alice.privmsg(CHANNEL, "!run gated");
            alice.await(fromBot(CHANNEL, "gated #1 by alice"), WAIT);
            alice.privmsg("buildduty", "approve 1");
            assertThat(alice.await(fromBot("alice", "not counted"), WAIT)).contains("not counted: approve gated #1 in"
                    + " testnet:#releng, the room it was requested in");
            alice.privmsg(CHANNEL, "!approve 1");
            alice.await(fromBot(CHANNEL, "gated #1 approved by alice"), WAIT);
            alice.await(fromBot(CHANNEL, "succeeded"), WAIT);
            alice.privmsg(CHANNEL, "!run hello");
            alice.await(fromBot(CHANNEL, "hello #2"), WAIT);
            assertThat(bot.stderr()).noneMatch(l -> l.contains(BOT_PASSWORD));
        }
    }

    @Test
    void aSecondUsersRunOfAnExclusiveRunbookQueuesBehindTheFirstNamingItsHolder() throws Exception {
        Path gate = dir.resolve("gate");
        writeConfig(dir, """
                name: slow
                description: waits for a file
                role: anyone
                steps:
                  - name: wait for the gate
                    local: { command: "while [ ! -e GATE ]; do sleep 0.1; done; echo gate open" }
                """.replace("GATE", gate.toString()));
        try (BotProcess bot = startBot(dir, BOT_PASSWORD); RawIrcClient alice = alice();
                RawIrcClient bob = RawIrcClient.connect(NET.get().port(), "bob", "bob", "bobpw12345", "account-tag")) {
            alice.join(CHANNEL);
            bob.join(CHANNEL);
            alice.privmsg(CHANNEL, "!run slow");
            alice.await(fromBot(CHANNEL, "slow #1 started"), WAIT);
            bob.privmsg(CHANNEL, "!run slow");
            assertThat(bob.await(fromBot(CHANNEL, "slow #2"), WAIT))
                    .contains("slow #2 queued behind #1 (slow by alice, running");
            bob.privmsg(CHANNEL, "!ops");
            assertThat(bob.await(fromBot(CHANNEL, "slow #2 by bob"), WAIT)).contains("queued (")
                    .contains("behind #1 (slow by alice");
            Files.writeString(gate, "open\n");
            bob.await(fromBot(CHANNEL, "slow #2 starting (queued"), WAIT);
            bob.await(fromBot(CHANNEL, "slow #2 [").and(l -> l.contains("succeeded")), WAIT);
            assertThat(bot.stderr()).noneMatch(l -> l.contains(BOT_PASSWORD));
        }
    }

    @Test
    void wrongSaslPasswordIsAOneLineStartUpError() throws Exception {
        writeConfig(dir, null);
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("IRC_PASSWORD", "not-the-password"))) {
            assertThat(bot.waitFor(WAIT)).isEqualTo(2);
            assertThat(bot.stderr()).anyMatch(l -> l.startsWith("buildduty: IRC testnet:") && l.contains("SASL"));
            assertThat(String.join("\n", bot.stderr())).doesNotContain("not-the-password").doesNotContain("at org.");
        }
    }

    @Test
    void serverRestartDuringAnOperation() throws Exception {
        Path gate = dir.resolve("gate");
        writeConfig(dir, """
                name: slow
                description: waits for a file between two notable steps
                role: releng
                steps:
                  - name: before
                    local: { command: "echo before" }
                  - name: wait for the gate
                    local: { command: "while [ ! -e GATE ]; do sleep 0.1; done; echo gate open" }
                    timeout: 2m
                  - name: after
                    local: { command: "echo after; exit 4" }
                """.replace("GATE", gate.toString()));
        try (BotProcess bot = startBot(dir, BOT_PASSWORD); RawIrcClient alice = alice()) {
            alice.join(CHANNEL);
            alice.privmsg(CHANNEL, "!run slow");
            alice.await(fromBot(CHANNEL, "step 2/3: wait for the gate"), WAIT);

            NET.get().stopIrcd();
            Files.writeString(gate, "open\n");
            NET.get().startIrcdAgain();

            try (RawIrcClient again = RawIrcClient.connect(NET.get().port(), "alice", "alice", "alicepw123",
                    "account-tag")) {
                again.join(CHANNEL);
                String failed = again.await(fromBot(CHANNEL, "slow #1 [").and(l -> l.contains("failed")), WAIT);
                assertThat(failed).contains("3/3");
                again.await(fromBot(CHANNEL, "#1| after"), WAIT);
            }
            assertThat(bot.stderr()).noneMatch(l -> l.contains(BOT_PASSWORD));
        }
        assertThat(Files.readString(dir.resolve("buildduty.log"))).contains("RECONNECTING").contains("CONNECTED");
    }

    @Test
    void aThousandOutputLinesAndAnInjectionAttemptDoNotGetTheBotDisconnected() throws Exception {
        writeConfig(dir, """
                name: noisy
                description: ten hosts, a hundred lines each, then a failure with a hostile last line
                role: releng
                steps:
                  - name: spew
                    local:
                      hosts: fleet
                      parallel: 10
                      command: >-
                        for i in $(seq 1 99); do echo {{host}} line $i; done;
                        printf 'evil\\rQUIT :injected\\r\\nPRIVMSG #releng :pwned\\n'; exit 3
                    on_host_failure: continue
                """);
        try (BotProcess bot = startBot(dir, BOT_PASSWORD); RawIrcClient alice = alice()) {
            alice.join(CHANNEL);
            alice.privmsg(CHANNEL, "!run noisy");
            String end = alice.await(fromBot(CHANNEL, "noisy #1 [").and(l -> l.contains("failed")), WAIT);
            assertThat(end).contains("0/10");
            String tail = alice.await(fromBot(CHANNEL, "QUIT :injected"), WAIT);
            assertThat(RawIrcClient.stripTags(tail)).startsWith(":buildduty!").contains(" PRIVMSG #releng :");
            alice.privmsg(CHANNEL, "!whoami");
            alice.await(fromBot(CHANNEL, "testnet:alice"), WAIT);
            assertThat(alice.lines()).noneMatch(l -> RawIrcClient.stripTags(l).startsWith(":buildduty!")
                    && List.of("QUIT", "PART", "KICK").contains(RawIrcClient.stripTags(l).split(" ")[1]));
            assertThat(alice.lines()).noneMatch(l -> payloadFromBot(l).equals("pwned"));
            assertThat(bot.stderr()).noneMatch(l -> l.contains(BOT_PASSWORD));
        }
        String log = Files.readString(dir.resolve("buildduty.log"));
        assertThat(log).doesNotContain("RECONNECTING").doesNotContain("Excess").doesNotContain(BOT_PASSWORD);
    }

    @Test
    void answersOverTlsTrustingThePrivateCa() throws Exception {
        writeTlsConfig(dir, NET.get().caFile());
        try (BotProcess bot = startBot(dir, BOT_PASSWORD); RawIrcClient alice = alice()) {
            alice.join(CHANNEL);
            alice.privmsg(CHANNEL, "!whoami");
            assertThat(alice.await(fromBot(CHANNEL, "testnet:alice"), WAIT)).contains("releng");
            assertThat(bot.stderr()).noneMatch(l -> l.contains(BOT_PASSWORD));
        }
        assertThat(Files.readString(dir.resolve("buildduty.log")))
                .contains("CONNECTED 127.0.0.1:" + NET.get().tlsPort());
    }

    @Test
    void anotherCaIsAOneLineStartUpError() throws Exception {
        Path other = TestCertificates.ca(dir.resolve("other-ca"));
        writeTlsConfig(dir, other);
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("IRC_PASSWORD", BOT_PASSWORD))) {
            assertThat(bot.waitFor(WAIT)).isEqualTo(2);
            assertThat(bot.stderr()).filteredOn(l -> l.startsWith("buildduty: IRC testnet:")).singleElement()
                    .asString().contains("TLS handshake with 127.0.0.1:" + NET.get().tlsPort())
                    .contains("certificate not trusted by the CAs in " + other);
            assertThat(String.join("\n", bot.stderr())).doesNotContain("at org.").doesNotContain(BOT_PASSWORD);
        }
    }

    @Test
    void aMissingCaFileIsAConfigurationError() throws Exception {
        Path missing = dir.resolve("no-such-ca.pem");
        writeTlsConfig(dir, missing);
        try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                Map.of("IRC_PASSWORD", BOT_PASSWORD))) {
            assertThat(bot.waitFor(WAIT)).isEqualTo(2);
            assertThat(bot.stderr()).anyMatch(l -> l.contains("TLS CA file " + missing + ": no such file"));
            assertThat(String.join("\n", bot.stderr())).doesNotContain("at org.");
        }
    }

    /** The text of a PRIVMSG the bot sent to the channel, or empty. */
    private static String payloadFromBot(String line) {
        String bare = RawIrcClient.stripTags(line);
        String head = " PRIVMSG " + CHANNEL + " :";
        int at = bare.indexOf(head);
        return bare.startsWith(":buildduty!") && at > 0 ? bare.substring(at + head.length()) : "";
    }

    /** The bot's PRIVMSG to {@code target} containing {@code text}. */
    private static Predicate<String> fromBot(String target, String text) {
        return l -> {
            String bare = RawIrcClient.stripTags(l);
            return bare.startsWith(":buildduty!") && bare.contains(" PRIVMSG " + target + " :") && bare.contains(text);
        };
    }

    /** Alice, logged in with SASL, with the account-tag cap. */
    private static RawIrcClient alice() throws IOException {
        return RawIrcClient.connect(NET.get().port(), "alice", "alice", "alicepw123", "account-tag");
    }

    private static BotProcess startBot(Path dir, String password) throws Exception {
        return IrcBot.start(dir, password, WAIT);
    }

    private static void writeConfig(Path dir, String runbook) throws IOException {
        writeConfig(dir, runbook, "port: " + NET.get().floodPort() + "\n    tls: false");
    }

    /** The bot on the TLS port, trusting the CAs in {@code caFile}. */
    private static void writeTlsConfig(Path dir, Path caFile) throws IOException {
        writeConfig(dir, null, "port: " + NET.get().tlsPort() + "\n    tls: true\n    tls_ca_file: " + caFile);
    }

    private static void writeConfig(Path dir, String runbook, String transport) throws IOException {
        StringBuilder hosts = new StringBuilder();
        for (int i = 1; i <= 10; i++) {
            hosts.append("    h").append(i).append(": { address: 127.0.0.1, groups: [fleet] }\n");
        }
        IrcBot.writeConfig(dir, runbook, transport, "inventory:\n  hosts:\n" + hosts);
    }
}
