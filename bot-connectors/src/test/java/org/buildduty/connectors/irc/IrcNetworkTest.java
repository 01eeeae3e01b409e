package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;

/** The test network itself: accounts, SASL, account tags, and a restart of the ircd. */
class IrcNetworkTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static IrcNetwork net;

    @BeforeAll
    static void start() throws Exception {
        net = IrcNetwork.start(dir);
        net.register("alice", "alicepw123", "bob", "bobpw12345");
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

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
        assertThatThrownBy(() -> RawIrcClient.connect(net.port(), "alice2", "alice", "wrong-password", "account-tag"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("904");
    }

    @Test
    void restartDisconnectsClientsAndServicesLinkAgain() throws Exception {
        try (RawIrcClient c = RawIrcClient.connect(net.port(), "dave")) {
            net.restartIrcd();
            assertThatThrownBy(() -> c.await(l -> l.contains("never"), WAIT)).hasMessageContaining("connection closed");
            assertThat(c.closed()).isTrue();
        }
        try (RawIrcClient b = connect("bob", "bob", "bobpw12345")) {
            assertThat(b.lines()).anyMatch(l -> RawIrcClient.hasNumeric(l, "903"));
        }
    }

    private static RawIrcClient connect(String nick, String account, String password) {
        try {
            return RawIrcClient.connect(net.port(), nick, account, password, "account-tag", "extended-join");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
