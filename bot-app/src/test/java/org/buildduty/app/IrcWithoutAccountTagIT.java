package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.buildduty.app.IrcBot.BOT_PASSWORD;
import static org.buildduty.app.IrcBot.CHANNEL;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.exec.testing.ServerFixture;

/**
 * The real jar on a real network whose server offers no {@code account-tag} (InspIRCd without its accounttag module,
 * as charybdis-style networks): a releng's account learnt from her private {@code whoami} is not lent to whoever
 * takes her nick after she left, in a private message or in the bot's channel (from outside it or after joining it):
 * each attempt is refused in one line and the runbook never runs. And on a network without services, {@code sasl:}
 * configured stops the jar at start-up with one line and exit status 2, never claiming an account.
 */
class IrcWithoutAccountTagIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir, IrcNetwork.Without.ACCOUNT_TAG).with("buildduty",
                    BOT_PASSWORD, "alice", "alicepw123"));

    @TempDir
    Path dir;

    @Test
    void anImpostorOnTheNickOfARelengWhoLeftGetsNoRoleAndRunsNothingInPrivateOrInTheChannel() throws Exception {
        Path marker = dir.resolve("deployed marker");
        writeConfig(dir, NET.get().port(), """
                name: deploy
                description: leaves a marker file
                role: releng
                steps:
                  - name: mark
                    local: { command: "touch 'MARKER'" }
                """.replace("MARKER", marker.toString()));
        var opener = CompletableFuture.supplyAsync(() -> {
            RawIrcClient o = client("opener", null, null);
            o.join(CHANNEL);
            o.send("MODE " + CHANNEL + " -n");
            o.await(l -> l.contains(" MODE " + CHANNEL + " ") && l.endsWith("-n"), WAIT);
            return o;
        });
        var alice = CompletableFuture.supplyAsync(() -> client("alice", "alice", "alicepw123"));
        var mallory = CompletableFuture.supplyAsync(() -> client("mallory", null, null));
        try (RawIrcClient o = opener.join(); RawIrcClient a = alice.join(); RawIrcClient m = mallory.join();
                BotProcess bot = startBot(dir)) {
            o.await(l -> l.startsWith(":buildduty!") && l.contains(" JOIN "), WAIT);

            a.privmsg("buildduty", "whoami");
            assertThat(a.await(fromBot("alice", "you are"), WAIT)).contains("you are testnet:alice; roles: releng");
            a.privmsg("buildduty", "run deploy");
            a.await(fromBot("alice", "succeeded"), WAIT);
            assertThat(marker).as("the runbook leaves its marker when releng runs it").exists();
            Files.delete(marker);
            a.quit();

            m.takeNick("alice");
            m.privmsg("buildduty", "whoami");
            assertThat(m.await(fromBot("alice", "you are"), WAIT)).contains("you are testnet:?alice; no roles");
            m.privmsg("buildduty", "run deploy");
            assertRefused(m.await(fromBot("alice", "not allowed"), WAIT));

            m.privmsg(CHANNEL, "!run deploy");
            assertRefused(o.await(fromBot(CHANNEL, "not allowed"), WAIT));
            m.join(CHANNEL);
            m.privmsg(CHANNEL, "!run deploy");
            assertRefused(m.await(fromBot(CHANNEL, "not allowed"), WAIT));
            m.privmsg(CHANNEL, "!whoami");
            assertThat(m.await(fromBot(CHANNEL, "you are"), WAIT)).contains("you are testnet:?alice; no roles");
            // not "you are": the refusals end "(you are testnet:?alice)" too
            o.await(fromBot(CHANNEL, "; no roles"), WAIT);

            assertThat(botLines(m, "alice")).as("one line each for whoami and run").hasSize(2);
            assertThat(botLines(o, CHANNEL)).as("one line each for two runs and a whoami").hasSize(3);
            assertThat(marker).doesNotExist();
            assertThat(bot.stderr()).noneMatch(l -> l.contains(BOT_PASSWORD));
        }
        String log = Files.readString(dir.resolve("buildduty.log"));
        assertThat(log).contains("(account buildduty)").doesNotContain(BOT_PASSWORD);
    }

    @Test
    void saslConfiguredOnANetworkWithoutServicesStopsTheStartWithOneLine(@TempDir Path noServicesDir)
            throws Exception {
        try (IrcNetwork bare = IrcNetwork.start(noServicesDir, IrcNetwork.Without.SERVICES)) {
            writeConfig(dir, bare.port(), null);
            try (BotProcess bot = BotProcess.start(dir, List.of("--config", "buildduty.yml"),
                    Map.of("IRC_PASSWORD", BOT_PASSWORD))) {
                assertThat(bot.waitFor(WAIT)).isEqualTo(2);
                assertThat(bot.stderr()).filteredOn(l -> l.startsWith("buildduty: IRC testnet:")).singleElement()
                        .asString().contains("SASL login as buildduty impossible: the server offers no SASL");
                assertThat(String.join("\n", bot.stderr())).doesNotContain("(account").doesNotContain("at org.")
                        .doesNotContain(BOT_PASSWORD);
            }
        }
        Path logFile = dir.resolve("buildduty.log");
        String log = Files.exists(logFile) ? Files.readString(logFile) : "";
        assertThat(log).doesNotContain("(account").doesNotContain(BOT_PASSWORD);
    }

    private static void assertRefused(String line) {
        assertThat(line).contains("needs role releng").contains("(you are testnet:?alice)");
    }

    /** The bot's PRIVMSGs to {@code target} that {@code c} received. */
    private static List<String> botLines(RawIrcClient c, String target) {
        return c.lines().stream().filter(fromBot(target, "")).toList();
    }

    /** The bot's PRIVMSG to {@code target} containing {@code text}. */
    private static Predicate<String> fromBot(String target, String text) {
        return l -> {
            String bare = RawIrcClient.stripTags(l);
            return bare.startsWith(":buildduty!") && bare.contains(" PRIVMSG " + target + " :") && bare.contains(text);
        };
    }


    /** A client asking for no caps (account-tag would make the server refuse the whole request). */
    private static RawIrcClient client(String nick, String account, String password) {
        try {
            return RawIrcClient.connect(NET.get().port(), nick, account, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BotProcess startBot(Path dir) throws Exception {
        return IrcBot.start(dir, BOT_PASSWORD, WAIT);
    }

    private static void writeConfig(Path dir, int port, String runbook) throws IOException {
        IrcBot.writeConfig(dir, runbook, "port: " + port
                + "\n    tls: false\n    identity: account\n    flood: { burst: 20, interval: 200ms }", "");
    }
}
