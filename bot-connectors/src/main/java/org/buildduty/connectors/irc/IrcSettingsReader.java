package org.buildduty.connectors.irc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;

/**
 * Reads a {@code type: irc} entry of {@code connectors:} into {@link IrcSettings}, and checks the identities that
 * name it in {@code roles:} and {@code people:}: services accounts, or {@code nick!user@host} masks with
 * {@code identity: hostmask}.
 */
public final class IrcSettingsReader implements ConnectorSettings.Reader<IrcSettings> {
    private static final Pattern CHANNEL = Pattern.compile("[#&+!][^\\s,\\x07]+( \\S+)?");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]_-]+");
    private static final Pattern NICK = Pattern.compile("[A-Za-z\\[\\]\\\\`_^{|}][A-Za-z0-9\\[\\]\\\\`_^{|}-]*");
    private static final Pattern HOSTMASK = Pattern.compile("[^!@\\s]+![^!@\\s]+@[^!@\\s]+");
    private static final Pattern ACCOUNT = Pattern.compile("[^!@\\s*?]+");
    /** What a host part must hold besides wildcards and separators to name a place. */
    private static final Pattern CONCRETE = Pattern.compile(".*[^*?.:/-].*");

    @Override
    public String type() {
        return "irc";
    }

    @Override
    public Set<String> keys() {
        return Set.of("server", "port", "tls", "tls_ca_file", "nick", "realname", "sasl", "identity", "channels",
                "flood");
    }

    @Override
    public Optional<IrcSettings> read(ConfigSection s, String botNick) {
        Optional<String> server = s.required("server").filter(v -> check(s, "server", HOST.matcher(v).matches(),
                "\"" + v + "\" is not a host name"));
        boolean tls = s.bool("tls", IrcConfig.DEFAULT_TLS);
        int port = s.port("port").orElse(IrcConfig.defaultPort(tls));
        Optional<Path> caFile = s.path("tls_ca_file");
        if (caFile.isPresent() && !tls) {
            s.error("tls_ca_file", "needs tls: true (the CAs are for checking the server's TLS certificate)");
        }
        String nick = s.matching("nick", NICK, "is not an IRC nick").orElse(botNick);
        Optional<String> realname = s.string("realname");
        Optional<IrcSettings.Sasl> sasl = s.section("sasl", Set.of("account", "password_env", "password_file"))
                .flatMap(sub -> {
                    Optional<String> account = sub.required("account");
                    Optional<Secret> password = sub.requiredSecret("password");
                    return account.isPresent() && password.isPresent()
                            ? Optional.of(new IrcSettings.Sasl(account.get(), password.get())) : Optional.empty();
                });
        IrcConfig.IdentityMode mode = s.oneOf("identity", List.of("account", "hostmask"))
                .map(v -> IrcConfig.IdentityMode.valueOf(v.toUpperCase(Locale.ROOT)))
                .orElse(IrcConfig.DEFAULT_IDENTITY);
        List<String> channels = s.strings("channels", ConfigSection.ItemCheck.matching(CHANNEL,
                "is not a channel (\"#name\", optionally followed by a key)"));
        IrcSettings.Flood flood = s.section("flood", Set.of("burst", "interval")).map(sub -> {
            int burst = sub.integer("burst", "burst", 1, 20).orElse(IrcSettings.Flood.DEFAULT.burst());
            Duration interval = sub.duration("interval").filter(d -> check(sub, "interval",
                    d.compareTo(Duration.ofMillis(200)) >= 0 && d.compareTo(Duration.ofSeconds(10)) <= 0,
                    "interval must be from 200ms to 10s")).orElse(IrcSettings.Flood.DEFAULT.interval());
            return new IrcSettings.Flood(burst, interval);
        }).orElse(IrcSettings.Flood.DEFAULT);
        return server.map(v -> new IrcSettings(v, port, tls, caFile, nick, realname, sasl, mode, channels, flood));
    }

    /**
     * Services accounts; with {@code identity: hostmask} (read from the raw entry, so roles are checked even when the
     * entry has other errors) {@code nick!user@host} masks with a concrete host part.
     */
    @Override
    public ConnectorSettings.PrincipalCheck principals(ConfigNode entry) {
        boolean hostmask = entry.get("identity").filter(ConfigNode::isScalar).map(ConfigNode::string)
                .filter("hostmask"::equals).isPresent();
        return hostmask ? IrcSettingsReader::hostmaskProblem : IrcSettingsReader::accountProblem;
    }

    private static Optional<String> hostmaskProblem(String id, String principal) {
        if (!HOSTMASK.matcher(principal).matches()) {
            return Optional.of("is not a nick!user@host mask (connector " + id + " uses identity: hostmask)");
        }
        return CONCRETE.matcher(principal.substring(principal.indexOf('@') + 1)).matches() ? Optional.empty()
                : Optional.of("needs a concrete host part (not only * and ?): anyone can take a nick or an ident");
    }

    private static Optional<String> accountProblem(String id, String principal) {
        return ACCOUNT.matcher(principal).matches() ? Optional.empty()
                : Optional.of("is not a services account (connector " + id + " uses identity: account)");
    }

    private static boolean check(ConfigSection s, String key, boolean ok, String message) {
        if (!ok) {
            s.error(key, message);
        }
        return ok;
    }
}
