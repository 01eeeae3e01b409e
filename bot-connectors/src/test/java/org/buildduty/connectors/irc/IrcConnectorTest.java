package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.buildduty.connectors.irc.IrcTesting.config;
import static org.buildduty.connectors.irc.IrcTesting.started;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;
import org.buildduty.exec.testing.ServerFixture;

/** The connector against a real inspircd + atheme network: identity, SASL, splitting, injection. */
class IrcConnectorTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir).with("alice", "alicepw123", "bob", "bobpw12345",
                    "botacct", "botpw12345"));

    @Test
    void registeredUserIsTheirAccountAndAnImpostorWithTheSameNickIsNot() throws Exception {
        RecordingListener events = new RecordingListener();
        try (IrcConnector bot = started(config("bdbot1", NET.get().floodPort(), "#ident").build(), events)) {
            var alice = CompletableFuture.supplyAsync(() -> client("alice", "alice", "alicepw123"));
            bot.awaitConnected(WAIT);
            try (RawIrcClient a = alice.join()) {
                a.join("#ident");
                a.privmsg("#ident", "!whoami");
                ChatMessage m = events.message(x -> x.text().equals("!whoami"));
                assertThat(m.sender()).isEqualTo(new Identity("irc", "alice"));
                assertThat(m.room()).isEqualTo(ChatAddress.of("irc", "#ident"));
                assertThat(m.direct()).isFalse();
                assertThat(m.senderName()).isEqualTo("alice");

                a.privmsg("bdbot1", "op 17");
                ChatMessage pm = events.message(x -> x.text().equals("op 17"));
                assertThat(pm.sender()).isEqualTo(new Identity("irc", "alice"));
                assertThat(pm.direct()).isTrue();
                assertThat(pm.room()).isEqualTo(ChatAddress.of("irc", "alice"));
            }
            try (RawIrcClient impostor = RawIrcClient.connect(NET.get().port(), "alice")) {
                impostor.join("#ident");
                impostor.privmsg("#ident", "!reconfig");
                ChatMessage m = events.message(x -> x.text().equals("!reconfig"));
                assertThat(m.sender().principal()).isEqualTo("?alice").isNotEqualTo("alice");
                assertThat(m.senderName()).isEqualTo("alice");
            }
        }
    }

    @Test
    void whoxFallbackWithoutAccountTag() throws Exception {
        RecordingListener events = new RecordingListener();
        IrcConfig cfg = config("bdbot2", NET.get().port(), "#whox").accountTag(false).build();
        try (IrcConnector bot = started(cfg, events)) {
            var bob = CompletableFuture.supplyAsync(() -> client("bob", "bob", "bobpw12345"));
            var carol = CompletableFuture.supplyAsync(() -> client("carol", null, null));
            bot.awaitConnected(WAIT);
            try (RawIrcClient b = bob.join(); RawIrcClient c = carol.join()) {
                b.privmsg("bdbot2", "whoami");
                assertThat(events.message(x -> x.text().equals("whoami")).sender())
                        .isEqualTo(new Identity("irc", "bob"));
                c.privmsg("bdbot2", "whoami too");
                assertThat(events.message(x -> x.text().equals("whoami too")).sender().principal())
                        .isEqualTo("?carol");
                b.join("#whox");
                b.privmsg("#whox", "in channel");
                assertThat(events.message(x -> x.text().equals("in channel")).sender())
                        .isEqualTo(new Identity("irc", "bob"));
            }
        }
    }

    @Test
    void hostmaskModeGivesNickUserHost() throws Exception {
        RecordingListener events = new RecordingListener();
        IrcConfig cfg = IrcConfig.builder("net", "127.0.0.1", NET.get().port()).tls(false).nick("bdbot3")
                .identity(IrcConfig.IdentityMode.HOSTMASK).build();
        try (IrcConnector bot = started(cfg, events)) {
            var dave = CompletableFuture.supplyAsync(() -> client("dave", null, null));
            bot.awaitConnected(WAIT);
            try (RawIrcClient d = dave.join()) {
                d.privmsg("bdbot3", "hello");
                Identity who = events.message(x -> x.text().equals("hello")).sender();
                assertThat(who.connectorId()).isEqualTo("net");
                assertThat(who.principal()).matches("dave!~?dave@127\\.0\\.0\\.1");
            }
        }
    }

    @Test
    void wrongSaslPasswordIsAClearStartUpError() {
        RecordingListener events = new RecordingListener();
        IrcConfig cfg = IrcConfig.builder("irc", "127.0.0.1", NET.get().port()).tls(false).nick("bdbot4")
                .sasl("botacct", "wrong-password").build();
        try (IrcConnector bot = started(cfg, events)) {
            assertThatThrownBy(() -> bot.awaitConnected(WAIT)).isInstanceOf(BuilddutyException.class)
                    .hasMessageContaining("SASL login as botacct failed: 904").hasMessageNotContaining("\n")
                    .hasMessageNotContaining("wrong-password");
            assertThat(bot.healthy()).isFalse();
            assertThat(events.states()).contains(ConnectionChanged.State.FAILED)
                    .doesNotContain(ConnectionChanged.State.CONNECTED);
        }
    }

    @Test
    void longMultiByteMessageArrivesWholeOverSeveralLinesAndInjectionFails() throws Exception {
        RecordingListener events = new RecordingListener();
        try (IrcConnector bot = started(config("bdbot5", NET.get().floodPort(), "#split").build(), events)) {
            var watcher = CompletableFuture.supplyAsync(() -> client("watcher", null, null));
            bot.awaitConnected(WAIT);
            try (RawIrcClient w = watcher.join()) {
                w.join("#split");
                StringBuilder sb = new StringBuilder();
                for (int i = 0; sb.toString().getBytes(StandardCharsets.UTF_8).length < 2000; i++) {
                    sb.append(i % 3 == 0 ? "é" : i % 3 == 1 ? "中" : "😀");
                }
                String text = sb.toString();
                bot.send(ChatAddress.of("irc", "#split"), text);
                List<String> got = new ArrayList<>();
                while (String.join("", got).length() < text.length()) {
                    String line = w.await(l -> l.contains(" PRIVMSG #split :"), WAIT);
                    int bytes = RawIrcClient.stripTags(line).getBytes(StandardCharsets.UTF_8).length;
                    assertThat(bytes + 2).isLessThanOrEqualTo(512);
                    got.add(line.substring(line.indexOf(" PRIVMSG #split :") + " PRIVMSG #split :".length()));
                }
                assertThat(got).hasSizeGreaterThanOrEqualTo(5);
                assertThat(String.join("", got)).isEqualTo(text);

                bot.send(ChatAddress.of("irc", "#split"), "step output\r\nQUIT :pwned\r\nJOIN #evil\u0000x");
                w.await(l -> l.endsWith("PRIVMSG #split :step output"), WAIT);
                w.await(l -> l.endsWith("PRIVMSG #split :QUIT :pwned"), WAIT);
                w.await(l -> l.endsWith("PRIVMSG #split :JOIN #evil?x"), WAIT);
                bot.send(ChatAddress.of("irc", "#split"), "still here");
                w.await(l -> l.endsWith("PRIVMSG #split :still here"), WAIT);
                assertThat(w.lines()).noneMatch(l -> l.contains(" QUIT ") && l.contains("bdbot5!"));
                assertThat(bot.connected()).isTrue();
                assertThat(events.states()).containsExactly(ConnectionChanged.State.CONNECTED);
            }
        }
    }

    @Test
    void targetsThatCouldInjectAreRefused() {
        for (String bad : List.of("#a b", "#a\r\nQUIT", "#a,#b", ":x", "")) {
            assertThatThrownBy(() -> IrcConnector.checkTarget(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        IrcConnector.checkTarget("#releng");
        IrcConnector.checkTarget("alice");
    }

    static RawIrcClient client(String nick, String account, String password) {
        return RawIrcClient.connectUnchecked(NET.get().port(), nick, account, password);
    }
}
