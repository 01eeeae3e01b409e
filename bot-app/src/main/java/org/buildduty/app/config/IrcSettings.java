package org.buildduty.app.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An IRC connector.
 *
 * @param server   host name of the server
 * @param port     default 6697 with TLS, 6667 without
 * @param tls      default true
 * @param nick     the bot's nick, default the {@code bot.nick}
 * @param realname the real name (gecos), if set
 * @param sasl     SASL PLAIN login to services, if set
 * @param identity how senders are identified: by services account (default) or by {@code nick!user@host}
 * @param channels channels to join; an entry may carry a key after a space ({@code "#ops key"})
 * @param flood    the output pace: a burst of lines, then one line per interval (default 4, then 1 per second)
 */
public record IrcSettings(String server, int port, boolean tls, String nick, Optional<String> realname,
        Optional<Sasl> sasl, IdentityMode identity, List<String> channels, Flood flood)
        implements ConnectorSettings {

    public IrcSettings {
        channels = List.copyOf(channels);
    }

    /** How an IRC sender becomes an identity. */
    public enum IdentityMode {
        /** The services account (account-tag, extended-join, WHOX); a nick that is not logged in has no identity. */
        ACCOUNT,
        /** {@code nick!user@host}; roles list masks with {@code *} and {@code ?}. */
        HOSTMASK
    }

    /** The output pacer's budget; keep it under the server's flood limits. */
    public record Flood(int burst, Duration interval) {
        /** A burst of 4, then 1 line per second: under Libera's and OFTC's limits with room to spare. */
        public static final Flood DEFAULT = new Flood(4, Duration.ofSeconds(1));
    }

    /** SASL PLAIN credentials. */
    public record Sasl(String account, Secret password) {
    }
}
