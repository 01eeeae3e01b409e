package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.exec.testing.ServerFixture;

/** The test network itself: accounts, SASL, account tags, and a restart of the ircd. */
class IrcNetworkTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir).with("alice", "alicepw123", "bob", "bobpw12345"));

    @Test
    void saslLoginAndAccountTagOnAnotherUsersMessage() throws Exception {
        var alice = CompletableFuture.supplyAsync(() -> connect("alice", "alice", "alicepw123"));
        var bob = CompletableFuture.supplyAsync(() -> connect("bob", "bob", "bobpw12345"));
        var carol = CompletableFuture.supplyAsync(() -> connect("carol", null, null));
        try (RawIrcClient a = alice.join(); RawIrcClient b = bob.join(); RawIrcClient c = carol.join()) {
            a.join("#smoke");
            b.join("#smoke");
            c.join("#smoke");
            b.privmsg("#smoke", "hello from bob");
            String seen = a.await(l -> l.endsWith("PRIVMSG #smoke :hello from bob"), WAIT);
            assertThat(RawIrcClient.tag(seen, "account")).contains("bob");

            c.privmsg("#smoke", "hello from carol");
            String anon = a.await(l -> l.endsWith("PRIVMSG #smoke :hello from carol"), WAIT);
            assertThat(RawIrcClient.tag(anon, "account")).isEmpty();
        }
    }

    @Test
    void wrongSaslPasswordFails() {
        assertThatThrownBy(
                () -> RawIrcClient.connect(NET.get().port(), "alice2", "alice", "wrong-password", "account-tag"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("904");
    }

    @Test
    void restartDisconnectsClientsAndServicesLinkAgain() throws Exception {
        try (RawIrcClient c = RawIrcClient.connect(NET.get().port(), "dave")) {
            NET.get().restartIrcd();
            assertThatThrownBy(() -> c.await(l -> l.contains("never"), WAIT)).hasMessageContaining("connection closed");
            assertThat(c.closed()).isTrue();
        }
        try (RawIrcClient b = connect("bob", "bob", "bobpw12345")) {
            assertThat(b.lines()).anyMatch(l -> RawIrcClient.hasNumeric(l, "903"));
        }
    }

    private static RawIrcClient connect(String nick, String account, String password) {
        try {
            return RawIrcClient.connect(NET.get().port(), nick, account, password, "account-tag", "extended-join");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
