package org.buildduty.connectors.irc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;

/**
 * An IRC connector as the configuration file gives it ({@link IrcSettingsReader} reads it and fills the defaults);
 * {@link IrcConfig#of} turns it into the connector's settings.
 *
 * @param server   host name of the server
 * @param port     default 6697 with TLS, 6667 without
 * @param tls      default true
 * @param tlsCaFile a PEM file of CA certificates: the connection trusts exactly those, not the system CAs
 * @param nick     the bot's nick, default the {@code bot.nick}
 * @param realname the real name (gecos), if set
 * @param sasl     SASL PLAIN login to services, if set
 * @param identity how senders are identified: by services account (default) or by {@code nick!user@host}
 * @param channels channels to join; an entry may carry a key after a space ({@code "#ops key"})
 * @param flood    the output pace: a burst of lines, then one line per interval (default 4, then 1 per second)
 */
public record IrcSettings(String server, int port, boolean tls, Optional<Path> tlsCaFile, String nick,
        Optional<String> realname, Optional<Sasl> sasl, IrcConfig.IdentityMode identity, List<String> channels,
        Flood flood) implements ConnectorSettings {

    public IrcSettings {
        channels = List.copyOf(channels);
    }

    /** The SASL password. */
    @Override
    public List<Secret> secrets() {
        return sasl.map(s -> List.of(s.password())).orElse(List.of());
    }

    /** The channels. */
    @Override
    public List<String> rooms() {
        return channels;
    }

    /** The SASL account and password (PLAIN sends them base64-encoded). */
    @Override
    public List<BasicLogin> basicLogins() {
        return sasl.map(s -> List.of(new BasicLogin(s.account(), s.password()))).orElse(List.of());
    }

    /** With {@code identity: hostmask}. */
    @Override
    public boolean hostmaskPrincipals() {
        return identity == IrcConfig.IdentityMode.HOSTMASK;
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
