package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IrcTakesTest {
    @Test
    void announcementsGoOnlyToSafeChannelNames() {
        assertThat(IrcConnector.isChannel("#releng")).isTrue();
        assertThat(IrcConnector.isChannel("&local")).isTrue();
        for (String bad : new String[] {"releng", "#", "#a,#b", "#a b", "#a\r\nQUIT", "!abc:example.org", ":x"}) {
            assertThat(IrcConnector.isChannel(bad)).as(bad).isFalse();
        }
    }
}
