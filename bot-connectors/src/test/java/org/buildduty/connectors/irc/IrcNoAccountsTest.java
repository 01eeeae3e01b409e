package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.time.Ticker;

/**
 * Account identity on a network that offers none of {@code account-tag}, {@code extended-join} or WHOX: the bot
 * says at connect time, in one warning line, that it cannot learn accounts there and what to configure instead.
 */
class IrcNoAccountsTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void capture() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void release() {
        root.detachAppender(logs);
    }

    private List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void aNetworkWithNoWayToLearnAccountsIsOneWarningLineAtConnectAndEveryoneIsAnUnverifiedNick() throws Exception {
        try (ScriptedIrcd ircd = new ScriptedIrcd("multi-prefix", "CHANTYPES=#");
                IrcConnector bot = connector(ircd.port(), IrcConfig.IdentityMode.ACCOUNT)) {
            assertThat(connectAndHearFromAlice(ircd, bot).principal()).isEqualTo("?alice");
            assertThat(warnings()).filteredOn(w -> w.contains("account")).singleElement().asString()
                    .startsWith("plain: this network offers none of account-tag, extended-join or WHOX")
                    .contains("every sender is ?nick").contains("identity: hostmask")
                    .contains("a network with services").doesNotContain("\n");
        }
    }

    @Test
    void noWarningWhereWhoxCanTellOrInHostmaskMode() throws Exception {
        try (ScriptedIrcd ircd = new ScriptedIrcd("multi-prefix", "CHANTYPES=# WHOX");
                IrcConnector bot = connector(ircd.port(), IrcConfig.IdentityMode.ACCOUNT)) {
            connectAndHearFromAlice(ircd, bot);
        }
        try (ScriptedIrcd ircd = new ScriptedIrcd("multi-prefix", "CHANTYPES=#");
                IrcConnector bot = connector(ircd.port(), IrcConfig.IdentityMode.HOSTMASK)) {
            connectAndHearFromAlice(ircd, bot);
        }
        assertThat(warnings()).noneMatch(w -> w.contains("WHOX"));
    }

    /** Connects, and returns the sender of a message from alice (which arrives after the end of the MOTD). */
    private static Identity connectAndHearFromAlice(ScriptedIrcd ircd, IrcConnector bot) throws Exception {
        RecordingListener events = new RecordingListener();
        bot.start(events);
        bot.awaitConnected(WAIT);
        ircd.send(":alice!a@10.0.0.1 PRIVMSG bdplain :whoami");
        return events.message(m -> m.text().equals("whoami")).sender();
    }

    private static IrcConnector connector(int port, IrcConfig.IdentityMode identity) {
        return new IrcConnector(IrcConfig.builder("plain", "127.0.0.1", port).tls(false).nick("bdplain")
                .identity(identity).build(), Ticker.system());
    }
}
