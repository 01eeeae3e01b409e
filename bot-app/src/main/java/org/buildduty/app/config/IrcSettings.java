package org.buildduty.app.config;

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
 */
public record IrcSettings(String server, int port, boolean tls, String nick, Optional<String> realname,
        Optional<Sasl> sasl, IdentityMode identity, List<String> channels) implements ConnectorSettings {

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

    /** SASL PLAIN credentials. */
    public record Sasl(String account, Secret password) {
    }
}
