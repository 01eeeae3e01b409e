package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;
import org.buildduty.exec.testing.ServerFixture;

/**
 * Account identity on a real network without {@code account-tag} (InspIRCd without its accounttag module): an
 * account learned by WHOX is trusted only while the server would tell the bot that it stopped being true, so whoever
 * takes a nick after its owner left is not that owner, in a private message or in a channel.
 */
class IrcAccountWithoutTagTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir, IrcNetwork.Without.ACCOUNT_TAG).with("alice",
                    "alicepw123", "alice2", "alicepw123", "alice3", "alicepw123", "botacct", "botpw12345"));

    /** The bot, logging in as {@code BotAcct}: services match account names without case, and name it botacct. */
    private static IrcConnector bot(String nick, RecordingListener events, String... channels) {
        IrcConfig cfg = IrcConfig.builder("irc", "127.0.0.1", NET.get().port()).tls(false).nick(nick)
                .sasl("BotAcct", "botpw12345").channels(List.of(channels)).rejoinDelay(Duration.ofHours(1)).build();
        return IrcTesting.started(cfg, events);
    }

    @Test
    void theServerOffersNoAccountTag() throws Exception {
        try (RawIrcClient c = RawIrcClient.connect(NET.get().port(), "capcheck", null, null, "account-tag")) {
            assertThat(c.lines()).anyMatch(l -> l.contains(" CAP ") && l.contains(" NAK "));
        }
    }

    @Test
    void anAccountLearnedInPrivateIsNotLentToTheNextHolderOfTheNick() throws Exception {
        RecordingListener events = new RecordingListener();
        var alice = CompletableFuture.supplyAsync(() -> client("alice", "alice", "alicepw123"));
        var mallory = CompletableFuture.supplyAsync(() -> client("mallory1", null, null));
        var opener = CompletableFuture.supplyAsync(() -> client("opener1", null, null));
        try (RawIrcClient a = alice.join(); RawIrcClient m = mallory.join(); RawIrcClient o = opener.join()) {
            openChannel(o, "#open1");
            try (IrcConnector bot = bot("bdacct1", events, "#open1")) {
                bot.awaitConnected(WAIT);
                assertThat(events.state(ConnectionChanged.State.CONNECTED).detail())
                        .as("the account the server confirmed").contains("(account botacct)");
                a.privmsg("bdacct1", "whoami");
                assertThat(events.message(x -> x.text().equals("whoami")).sender())
                        .isEqualTo(new Identity("irc", "alice"));

                a.quit();
                m.takeNick("alice");
                m.privmsg("bdacct1", "run deploy");
                assertThat(events.message(x -> x.text().equals("run deploy")).sender().principal())
                        .isEqualTo("?alice");
                m.privmsg("#open1", "!run deploy");
                ChatMessage inChannel = events.message(x -> x.text().equals("!run deploy"));
                assertThat(inChannel.sender().principal()).isEqualTo("?alice");
                assertThat(inChannel.direct()).isFalse();
            }
        }
    }

    @Test
    void theMembersOfAChannelAreForgottenWhenTheBotIsKickedFromIt() throws Exception {
        RecordingListener events = new RecordingListener();
        var alice = CompletableFuture.supplyAsync(() -> client("alice2", "alice2", "alicepw123"));
        var mallory = CompletableFuture.supplyAsync(() -> client("mallory2", null, null));
        try (RawIrcClient a = alice.join(); RawIrcClient m = mallory.join()) {
            a.join("#side2");
            openChannel(a, "#open2");
            try (IrcConnector bot = bot("bdacct2", events, "#side2", "#open2")) {
                bot.awaitConnected(WAIT);
                a.send("PART #open2");
                a.await(l -> l.contains(" PART ") && l.endsWith("#open2"), WAIT);
                a.privmsg("#side2", "!whoami");
                assertThat(events.message(x -> x.text().equals("!whoami")).sender())
                        .isEqualTo(new Identity("irc", "alice2"));

                a.send("KICK #side2 bdacct2 :out");
                a.await(l -> l.contains(" KICK #side2 bdacct2"), WAIT);
                a.quit();
                m.takeNick("alice2");
                m.privmsg("bdacct2", "run deploy");
                assertThat(events.message(x -> x.text().equals("run deploy")).sender().principal())
                        .isEqualTo("?alice2");
                m.privmsg("#open2", "!run deploy");
                assertThat(events.message(x -> x.text().equals("!run deploy")).sender().principal())
                        .isEqualTo("?alice2");
            }
        }
    }

    @Test
    void theMembersOfAChannelAreForgottenWhenTheBotIsPartedFromIt() throws Exception {
        RecordingListener events = new RecordingListener();
        var alice = CompletableFuture.supplyAsync(() -> client("alice3", "alice3", "alicepw123"));
        var mallory = CompletableFuture.supplyAsync(() -> client("mallory3", null, null));
        var oper = CompletableFuture.supplyAsync(() -> client("oper3", null, null));
        try (RawIrcClient a = alice.join(); RawIrcClient m = mallory.join(); RawIrcClient o = oper.join();
                IrcConnector bot = bot("bdacct3", events, "#side3")) {
            bot.awaitConnected(WAIT);
            a.join("#side3");
            a.privmsg("#side3", "!whoami");
            assertThat(events.message(x -> x.text().equals("!whoami")).sender())
                    .isEqualTo(new Identity("irc", "alice3"));

            o.send("OPER admin adminpw");
            o.await(l -> RawIrcClient.hasNumeric(l, "381"), WAIT);
            o.send("SAPART bdacct3 #side3");
            a.await(l -> l.startsWith(":bdacct3!") && l.contains(" PART "), WAIT);
            a.quit();
            m.takeNick("alice3");
            m.privmsg("bdacct3", "run deploy");
            assertThat(events.message(x -> x.text().equals("run deploy")).sender().principal())
                    .isEqualTo("?alice3");
        }
    }

    /** Joins {@code channel} first (so as its operator) and lets outsiders speak in it ({@code -n}). */
    private static void openChannel(RawIrcClient op, String channel) {
        op.join(channel);
        op.send("MODE " + channel + " -n");
        op.await(l -> l.contains(" MODE " + channel + " ") && l.endsWith("-n"), WAIT);
    }



    /** A client asking for no caps (account-tag would make the server refuse the whole request). */
    private static RawIrcClient client(String nick, String account, String password) {
        try {
            return RawIrcClient.connect(NET.get().port(), nick, account, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
