package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.buildduty.connectors.irc.IrcTesting.started;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.exec.testing.ServerFixture;

/**
 * With {@code sasl:} configured, a connection on which SASL was not completed is refused at start-up with one line,
 * whether the server offers no SASL (services not linked) or does not negotiate caps at all; no account is ever
 * claimed that the server did not confirm.
 */
class IrcSaslRequiredTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration AT_ONCE = Duration.ofSeconds(8);

    @RegisterExtension
    static final ServerFixture<IrcNetwork> NET =
            ServerFixture.perClass(dir -> IrcNetwork.start(dir, IrcNetwork.Without.SERVICES));

    @Test
    void aNetworkWhoseServicesAreDownOffersNoSaslAndTheBotDoesNotStart() {
        IrcConfig cfg = IrcConfig.builder("irc", "127.0.0.1", NET.get().port()).tls(false).nick("bdsasl1")
                .sasl("botacct", "botpw12345").build();
        assertRefused(cfg, "IRC irc: SASL login as botacct impossible: the server offers no SASL PLAIN "
                + "(services down?)");
    }

    @Test
    void aServerWithoutCapsRegistersTheBotWithoutSaslAndTheBotDoesNotStart() throws Exception {
        try (ScriptedIrcd ircd = new ScriptedIrcd(null, "CHANTYPES=#")) {
            IrcConfig cfg = IrcConfig.builder("irc", "127.0.0.1", ircd.port()).tls(false).nick("bdsasl2")
                    .sasl("botacct", "botpw12345").build();
            assertRefused(cfg, "IRC irc: SASL login as botacct not completed: the server registered the bot "
                    + "without it (no CAP support?)");
        }
    }

    private static void assertRefused(IrcConfig cfg, String reason) {
        RecordingListener events = new RecordingListener();
        try (IrcConnector bot = started(cfg, events)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> bot.awaitConnected(WAIT)).isInstanceOf(BuilddutyException.class)
                    .hasMessage(reason).hasMessageNotContaining("\n").hasMessageNotContaining("botpw12345");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(AT_ONCE);
            assertThat(bot.healthy()).isFalse();
            assertThat(events.states()).contains(ConnectionChanged.State.FAILED)
                    .doesNotContain(ConnectionChanged.State.CONNECTED);
            for (ChatEvent e : events.all) {
                assertThat(e.toString()).doesNotContain("(account");
            }
        }
    }
}
