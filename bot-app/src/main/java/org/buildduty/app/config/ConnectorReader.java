package org.buildduty.app.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.buildduty.core.config.ConfigException;
import org.buildduty.core.config.ConfigNode;

/** Reads {@code connectors:}: ids, types and each type's keys. */
final class ConnectorReader {
    static final List<String> TYPES = List.of("console", "irc", "matrix", "zulip");
    /** The kind of principal of an IRC connector with {@code identity: hostmask}; others have their type. */
    static final String IRC_HOSTMASK = "irc-hostmask";

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_-]*");
    private static final Pattern CHANNEL = Pattern.compile("[#&+!][^\\s,\\x07]+( \\S+)?");
    static final Pattern MATRIX_USER = Pattern.compile("@[^:\\s]+:\\S+");
    private static final Pattern MATRIX_ROOM = Pattern.compile("[!#][^:\\s]+:\\S+");
    static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]_-]+");
    private static final Pattern NICK = Pattern.compile("[A-Za-z\\[\\]\\\\`_^{|}][A-Za-z0-9\\[\\]\\\\`_^{|}-]*");

    private static final Set<String> COMMON = Set.of("id", "type");
    private static final Map<String, Set<String>> KEYS = Map.of(
            "console", COMMON,
            "irc", with("server", "port", "tls", "nick", "realname", "sasl", "identity", "channels", "flood"),
            "matrix", with("homeserver", "user", "access_token_env", "access_token_file", "password_env",
                    "password_file", "rooms", "allow_invites_from"),
            "zulip", with("site", "email", "api_key_env", "api_key_file", "zuliprc", "streams"));

    private final Context ctx;
    private final String botNick;

    ConnectorReader(Context ctx, String botNick) {
        this.ctx = ctx;
        this.botNick = botNick;
    }

    private static Set<String> with(String... keys) {
        Set<String> s = new HashSet<>(COMMON);
        s.addAll(List.of(keys));
        return Set.copyOf(s);
    }

    /**
     * Every well-formed connector. {@code kindsById} gets each id seen, with its kind of principal: the type, or
     * {@link #IRC_HOSTMASK}; null when the type is bad.
     */
    List<ConnectorConfig> read(Section top, Map<String, String> kindsById) {
        if (!top.has("connectors")) {
            top.missing("connectors");
            return List.of();
        }
        ConfigNode list = top.child("connectors").orElseThrow();
        List<ConfigNode> items = ctx.problems().check(list::asList).orElse(null);
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            ctx.problems().add(list, "at least one connector is needed (the console connector: {id: console, "
                    + "type: console})");
        }
        List<ConnectorConfig> out = new ArrayList<>();
        Map<String, Integer> lines = new HashMap<>();
        boolean console = false;
        for (ConfigNode item : items) {
            if (!item.isMap()) {
                ctx.problems().add(item, "expected a mapping of keys to values");
                continue;
            }
            Section s = Section.unchecked(item, ctx);
            Optional<String> type = s.has("type") ? s.oneOf("type", TYPES) : missingValue(s, "type");
            Optional<String> id = s.has("id")
                    ? s.matching("id", ID, "is not a connector id ([a-z][a-z0-9_-]*)") : missingValue(s, "id");
            if (id.isPresent()) {
                Integer first = lines.putIfAbsent(id.get(), s.child("id").orElseThrow().line());
                if (first != null) {
                    s.error("id", "duplicate connector id \"" + id.get() + "\" (first at line " + first + ")");
                    id = Optional.empty();
                } else {
                    kindsById.put(id.get(), type.map(t -> kind(t, item)).orElse(null));
                }
            }
            if (type.isEmpty()) {
                continue;
            }
            Section typed = Section.of(item, ctx, KEYS.get(type.get()));
            if (type.get().equals("console")) {
                if (console) {
                    ctx.problems().add(item, "only one console connector may be configured");
                }
                console = true;
            }
            ConnectorSettings settings = settings(type.get(), typed);
            if (id.isPresent() && settings != null) {
                out.add(new ConnectorConfig(id.get(), type.get(), item, settings));
            }
        }
        return List.copyOf(out);
    }

    private static String kind(String type, ConfigNode item) {
        boolean hostmask = type.equals("irc") && item.get("identity").filter(ConfigNode::isScalar)
                .map(ConfigNode::string).filter("hostmask"::equals).isPresent();
        return hostmask ? IRC_HOSTMASK : type;
    }

    private static Optional<String> missingValue(Section s, String key) {
        s.missing(key);
        return Optional.empty();
    }

    private ConnectorSettings settings(String type, Section s) {
        switch (type) {
            case "irc":
                return irc(s);
            case "matrix":
                return matrix(s);
            case "zulip":
                return zulip(s);
            default:
                return new ConsoleSettings();
        }
    }

    private IrcSettings irc(Section s) {
        Optional<String> server = s.required("server").filter(v -> check(s, "server", HOST.matcher(v).matches(),
                "\"" + v + "\" is not a host name"));
        boolean tls = s.bool("tls", true);
        int port = s.port("port").orElse(tls ? 6697 : 6667);
        String nick = s.matching("nick", NICK, "is not an IRC nick").orElse(botNick);
        Optional<String> realname = s.string("realname");
        Optional<IrcSettings.Sasl> sasl = s.section("sasl", Set.of("account", "password_env", "password_file"))
                .flatMap(sub -> {
                    Optional<String> account = sub.required("account");
                    Optional<Secret> password = sub.requiredSecret("password");
                    return account.isPresent() && password.isPresent()
                            ? Optional.of(new IrcSettings.Sasl(account.get(), password.get())) : Optional.empty();
                });
        IrcSettings.IdentityMode mode = s.oneOf("identity", List.of("account", "hostmask"))
                .map(v -> IrcSettings.IdentityMode.valueOf(v.toUpperCase(Locale.ROOT)))
                .orElse(IrcSettings.IdentityMode.ACCOUNT);
        List<String> channels = s.strings("channels",
                Section.ItemCheck.matching(CHANNEL, "is not a channel (\"#name\", optionally followed by a key)"));
        IrcSettings.Flood flood = s.section("flood", Set.of("burst", "interval")).map(sub -> {
            int burst = sub.integer("burst", "burst", 1, 20).orElse(IrcSettings.Flood.DEFAULT.burst());
            Duration interval = sub.duration("interval").filter(d -> check(sub, "interval",
                    d.compareTo(Duration.ofMillis(200)) >= 0 && d.compareTo(Duration.ofSeconds(10)) <= 0,
                    "interval must be from 200ms to 10s")).orElse(IrcSettings.Flood.DEFAULT.interval());
            return new IrcSettings.Flood(burst, interval);
        }).orElse(IrcSettings.Flood.DEFAULT);
        return server.map(v -> new IrcSettings(v, port, tls, nick, realname, sasl, mode, channels, flood))
                .orElse(null);
    }

    private MatrixSettings matrix(Section s) {
        Optional<URI> homeserver = s.has("homeserver") ? s.url("homeserver") : missingUrl(s, "homeserver");
        Optional<String> user = s.has("user")
                ? s.matching("user", MATRIX_USER, "is not a Matrix user id (@name:server)") : missingValue(s, "user");
        Optional<Secret> token = s.secret("access_token");
        Optional<Secret> password = s.secret("password");
        boolean anyCredential = List.of("access_token", "password").stream()
                .anyMatch(b -> s.has(b) || s.has(b + "_env") || s.has(b + "_file"));
        if (!anyCredential) {
            s.error("access_token_env", "missing (or access_token_file; or password_env/password_file to log in)");
        }
        List<String> rooms = s.strings("rooms",
                Section.ItemCheck.matching(MATRIX_ROOM, "is not a room id (!id:server) or alias (#name:server)"));
        List<String> invites = s.strings("allow_invites_from",
                Section.ItemCheck.matching(MATRIX_USER, "is not a Matrix user id (@name:server)"));
        if (homeserver.isEmpty() || user.isEmpty() || (token.isEmpty() && password.isEmpty())) {
            return null;
        }
        return new MatrixSettings(homeserver.get(), user.get(), token, password, rooms, invites);
    }

    private ZulipSettings zulip(Section s) {
        List<String> streams = s.strings("streams", Section.ItemCheck.ANY);
        if (s.has("zuliprc")) {
            for (String k : List.of("site", "email", "api_key_env", "api_key_file")) {
                if (s.has(k)) {
                    s.error(k, "give either zuliprc or site, email and api_key_env/api_key_file, not both");
                    return null;
                }
            }
            return s.path("zuliprc").flatMap(p -> zuliprc(s, p, streams)).orElse(null);
        }
        Optional<URI> site = s.has("site") ? s.url("site") : missingUrl(s, "site");
        Optional<String> email = s.has("email")
                ? s.matching("email", EMAIL, "is not an email address") : missingValue(s, "email");
        Optional<Secret> key = s.requiredSecret("api_key");
        if (site.isEmpty() || email.isEmpty() || key.isEmpty()) {
            return null;
        }
        return new ZulipSettings(site.get(), email.get(), key.get(), Optional.empty(), streams);
    }

    /** Reads {@code [api]} email, key and site from a zuliprc file. */
    private Optional<ZulipSettings> zuliprc(Section s, Path p, List<String> streams) {
        Map<String, String> api;
        try {
            api = ini(p);
        } catch (ConfigException e) {
            s.error("zuliprc", e.getMessage());
            return Optional.empty();
        }
        for (String k : List.of("email", "key", "site")) {
            if (api.getOrDefault(k, "").isEmpty()) {
                s.error("zuliprc", p + " has no " + k + " in its [api] section");
                return Optional.empty();
            }
        }
        URI site;
        try {
            site = new URI(api.get("site"));
            if (site.getHost() == null || !(site.getScheme().equals("http") || site.getScheme().equals("https"))) {
                throw new URISyntaxException(api.get("site"), "not http(s)");
            }
        } catch (URISyntaxException e) {
            s.error("zuliprc", p + ": site \"" + api.get("site") + "\" is not an http(s) URL");
            return Optional.empty();
        }
        return Optional.of(new ZulipSettings(site, api.get("email"), Secret.of("zuliprc " + p, api.get("key")),
                Optional.of(p), streams));
    }

    private static Map<String, String> ini(Path p) {
        List<String> lines = Section.readText(p).lines().toList();
        Map<String, String> api = new LinkedHashMap<>();
        String section = "";
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).strip();
            } else if (section.equals("api") && line.indexOf('=') > 0) {
                int eq = line.indexOf('=');
                api.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return api;
    }

    private static Optional<URI> missingUrl(Section s, String key) {
        s.missing(key);
        return Optional.empty();
    }

    private static boolean check(Section s, String key, boolean ok, String message) {
        if (!ok) {
            s.error(key, message);
        }
        return ok;
    }
}
