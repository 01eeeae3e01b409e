package org.buildduty.connectors.irc;

import java.util.List;

import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.time.Ticker;

/** What the IRC connector tests against the real test network share: the bot's configuration and start. */
final class IrcTesting {
    private IrcTesting() {
    }

    /** The bot {@code nick} on 127.0.0.1:{@code port} in plain text, logging in as botacct, in these channels. */
    static IrcConfig.Builder config(String nick, int port, String... channels) {
        return IrcConfig.builder("irc", "127.0.0.1", port).tls(false).nick(nick).sasl("botacct", "botpw12345")
                .channels(List.of(channels));
    }

    /** A connector for {@code cfg} on the system clock, started with {@code events}; the caller closes it. */
    static IrcConnector started(IrcConfig cfg, ChatEvent.Listener events) {
        IrcConnector bot = new IrcConnector(cfg, Ticker.system());
        bot.start(events);
        return bot;
    }
}
