package org.buildduty.app.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.core.config.ConfigContext;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigProblems;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;
import org.buildduty.core.config.ServiceSettings;
import org.buildduty.core.time.Durations;

/**
 * Loads and validates the configuration file (SPEC "Configuration shape"). Every problem in the file is collected and
 * thrown as one {@link ConfigException} whose lines each read {@code file:line: field: message}, in line order.
 * Secrets are resolved from the given environment ({@code *_env}) or from files ({@code *_file}); a secret written in
 * the file is an error. Relative paths resolve against the base directory, by default the folder of the configuration
 * file (so a configuration kept anywhere works the same with {@code java -jar} and {@code ./buildduty}, from any
 * working directory); {@code ~/} is the home directory ({@code HOME} of the given environment).
 *
 * <pre>{@code
 * BotConfig config = ConfigLoader.load(Path.of("config/buildduty.yml"), System.getenv());
 * }</pre>
 */
public final class ConfigLoader {
    private static final Set<String> TOP_KEYS = Set.of("bot", "connectors", "roles", "people", "inventory",
            "services", "credentials");
    private static final Set<String> BOT_KEYS = Set.of("prefix", "journal", "runbooks", "web", "anonymous",
            "web_url", "nick", "web_token_env", "web_token_file", "max_live_operations", "max_pending_approvals",
            "private_approvals", "retention", "journal_password_env", "journal_password_file", "instance", "ha");
    /** pgjdbc's connection options a {@code postgresql://} journal URL may carry (a password never). */
    private static final Set<String> PG_OPTIONS = Set.of("user", "ssl", "sslmode", "sslrootcert", "sslcert",
            "sslkey", "sslnegotiation", "connectTimeout", "loginTimeout", "socketTimeout", "targetServerType",
            "hostRecheckSeconds", "loadBalanceHosts", "ApplicationName", "currentSchema", "gssEncMode");
    private static final Set<String> PG_FILES = Set.of("sslrootcert", "sslcert", "sslkey");
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");
    private static final Pattern PG_URL = Pattern.compile(
            "(?:jdbc:)?postgresql://((?:\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+)(?::\\d{1,5})?"
                    + "(?:,(?:\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+)(?::\\d{1,5})?)*)/([^/?#]+)(?:\\?(.*))?");
    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern PREFIX = Pattern.compile("\\S{1,5}");
    private static final Pattern BOT_NICK = Pattern.compile("[A-Za-z][A-Za-z0-9_\\-\\[\\]\\\\`^{|}]*");
    private static final Pattern WEB = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+):([^:]+)");

    private ConfigLoader() {
    }

    /** Loads a file; relative paths in it resolve against the file's folder. */
    public static BotConfig load(Path file, Map<String, String> env) {
        Path folder = file.toAbsolutePath().normalize().getParent();
        return load(file, env, folder == null ? Path.of("").toAbsolutePath() : folder);
    }

    /** Loads a file; relative paths in it resolve against {@code baseDir}. */
    public static BotConfig load(Path file, Map<String, String> env, Path baseDir) {
        return read(ConfigNode.load(file), env, baseDir);
    }

    /** Parses YAML text named {@code fileName} in errors; relative paths resolve against {@code baseDir}. */
    public static BotConfig parse(String fileName, String yaml, Map<String, String> env, Path baseDir) {
        return read(ConfigNode.parse(fileName, yaml), env, baseDir);
    }

    private static BotConfig read(ConfigNode root, Map<String, String> env, Path baseDir) {
        ConfigContext ctx = ConfigContext.of(env, baseDir);
        if (!root.isMap()) {
            throw root.error("expected a mapping of keys to values");
        }
        ConfigSection top = ConfigSection.of(root, ctx, TOP_KEYS);
        BotSettings bot = bot(ctx, top.section("bot", BOT_KEYS));
        Map<String, ConnectorSettings.PrincipalCheck> principals = new LinkedHashMap<>();
        List<ConnectorConfig> connectors = new ConnectorsReader(ctx, bot.nick()).read(top, principals);
        RolesReader identities = new RolesReader(ctx, principals);
        Map<String, List<String>> roles = identities.read(top);
        Map<String, List<String>> people = identities.people(top);
        InventoryConfig inventory = new InventoryReader(ctx).read(top.child("inventory"));
        ServicesConfig services = services(top.section("services", Set.copyOf(ServiceTypes.names())));
        Map<String, CredentialConfig> credentials = new CredentialsReader(ctx).read(top.namedEntries("credentials"),
                services);
        if (!ctx.problems().isEmpty()) {
            throw new ConfigException(ConfigProblems.byLine(root.file(), ctx.problems().errors()));
        }
        return new BotConfig(bot, connectors, roles, people, inventory, services, credentials, ctx.baseDir(),
                root.file());
    }

    private static BotSettings bot(ConfigContext ctx, Optional<ConfigSection> section) {
        ConfigSection s = section.orElseGet(() -> ConfigSection.unchecked(ConfigNode.parse("", "{}"), ctx));
        String prefix = s.matching("prefix", PREFIX, "is not a prefix (1 to 5 characters, no spaces)").orElse("!");
        Optional<String> journalText = s.string("journal");
        boolean postgres = journalText.map(j -> j.startsWith("postgresql:") || j.startsWith("jdbc:")).orElse(false);
        Path journal = postgres ? ctx.path("data/buildduty.db")
                : s.path("journal").orElse(ctx.path("data/buildduty.db"));
        ClusterSettings cluster = cluster(s, postgres ? journalText.get() : null);
        Path runbooks = s.path("runbooks").orElse(ctx.path("runbooks"));
        Optional<BotSettings.WebAddress> web = s.has("web")
                ? web(s) : Optional.of(new BotSettings.WebAddress("127.0.0.1", 8080));
        boolean anonymous = s.bool("anonymous", true);
        Optional<URI> webUrl = s.url("web_url");
        String nick = s.matching("nick", BOT_NICK, "is not a nick ([A-Za-z] then letters, digits, _-[]\\`^{|})")
                .orElse("buildduty");
        Optional<Secret> webToken = s.secret("web_token");
        if (web.isPresent() && !web.get().isLoopback() && webToken.isEmpty() && !s.has("web_token_env")
                && !s.has("web_token_file")) {
            s.error("web", web.get() + " is not a loopback address: set web_token_env or web_token_file (a read "
                    + "token for the status page)");
        }
        BotSettings.Limits limits = new BotSettings.Limits(
                s.integer("max_live_operations", "live operations", 1, 10_000)
                        .orElse(BotSettings.Limits.DEFAULTS.maxLiveOperations()),
                s.integer("max_pending_approvals", "pending approvals", 1, 10_000)
                        .orElse(BotSettings.Limits.DEFAULTS.maxPendingApprovals()));
        boolean privateApprovals = s.bool("private_approvals", false);
        return new BotSettings(prefix, journal, runbooks, web, anonymous, webUrl, nick, webToken, limits,
                privateApprovals, retention(s.section("retention", Set.of("keep", "min_operations"))), cluster);
    }

    /**
     * {@code journal: postgresql://...} with its password, {@code instance} and {@code ha}; {@code url} is null for
     * an SQLite journal, where the password keys are an error and {@code ha} is read (and has no effect).
     */
    private static ClusterSettings cluster(ConfigSection s, String url) {
        Optional<ClusterSettings.Postgres> postgres = Optional.empty();
        if (url != null) {
            Optional<Secret> password = s.secret("journal_password");
            if (postgresUrl(s, url)) {
                postgres = Optional.of(new ClusterSettings.Postgres(url.startsWith("jdbc:")
                        ? url.substring("jdbc:".length()) : url, password));
            }
        } else {
            for (String key : List.of("journal_password_env", "journal_password_file")) {
                if (s.has(key)) {
                    s.error(key, "only a postgresql:// journal has a password; journal is an SQLite file here");
                }
            }
        }
        String instance = s.matching("instance", INSTANCE, "is not an instance name (a letter or digit, then up to "
                + "62 letters, digits, '.', '_' or '-')").orElseGet(ClusterSettings::hostName);
        Duration heartbeat = ClusterSettings.HEARTBEAT;
        Duration takeoverAfter = ClusterSettings.TAKEOVER_AFTER;
        Optional<ConfigSection> ha = s.section("ha", Set.of("heartbeat", "takeover_after"));
        if (ha.isPresent()) {
            heartbeat = ha.get().duration("heartbeat").orElse(heartbeat);
            takeoverAfter = ha.get().duration("takeover_after").orElse(takeoverAfter);
            if (heartbeat.compareTo(Duration.ofMillis(100)) < 0 || heartbeat.compareTo(Duration.ofMinutes(1)) > 0) {
                ha.get().error("heartbeat", "must be between 100ms and 1m, not " + Durations.compact(heartbeat));
                heartbeat = ClusterSettings.HEARTBEAT;
            } else if (takeoverAfter.compareTo(heartbeat.multipliedBy(3)) < 0
                    || takeoverAfter.compareTo(Duration.ofMinutes(10)) > 0) {
                ha.get().error("takeover_after", "must be at least 3 heartbeats (" + Durations.compact(
                        heartbeat.multipliedBy(3)) + ") and at most 10m, not " + Durations.compact(takeoverAfter));
                takeoverAfter = heartbeat.multipliedBy(10);
            }
        }
        return new ClusterSettings(postgres, instance, heartbeat, takeoverAfter);
    }

    /** Checks a {@code postgresql://} journal URL: hosts, database, known pgjdbc options, never a password. */
    private static boolean postgresUrl(ConfigSection s, String url) {
        Matcher m = PG_URL.matcher(url);
        if (!m.matches()) {
            int q = url.indexOf('?');
            s.error("journal", "\"" + (q < 0 ? url : url.substring(0, q) + "?...")
                    + "\" is not postgresql://HOST[:PORT]/DATABASE[?user=USER&...]");
            return false;
        }
        boolean ok = true;
        String query = m.group(3);
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                if (key.equals("password") || key.equals("sslpassword")) {
                    s.error("journal", "the URL must not hold a password (" + key + "=...): give it with "
                            + "journal_password_env or journal_password_file");
                    ok = false;
                } else if (!PG_OPTIONS.contains(key)) {
                    s.error("journal", "unknown option \"" + key + "\" in the URL; pgjdbc options allowed here: "
                            + String.join(", ", new TreeSet<>(PG_OPTIONS)));
                    ok = false;
                } else if (key.equals("sslmode") && !SSL_MODES.contains(value)) {
                    s.error("journal", "sslmode \"" + value + "\" is not one of "
                            + String.join(", ", new TreeSet<>(SSL_MODES)));
                    ok = false;
                } else if (PG_FILES.contains(key) && !Files.isReadable(Path.of(value))) {
                    s.error("journal", key + " " + value + " is not a readable file");
                    ok = false;
                }
            }
        }
        return ok;
    }

    /** {@code retention: {keep: 90d, min_operations: 200}}; keep at least a day. */
    private static BotSettings.Retention retention(Optional<ConfigSection> section) {
        if (section.isEmpty()) {
            return BotSettings.Retention.DEFAULTS;
        }
        ConfigSection r = section.get();
        Duration keep = r.duration("keep").orElse(BotSettings.Retention.DEFAULTS.keep());
        if (keep.compareTo(Duration.ofDays(1)) < 0) {
            r.error("keep", "must be at least 1d (output is pruned daily), not " + Durations.compact(keep));
            keep = BotSettings.Retention.DEFAULTS.keep();
        }
        int min = r.integer("min_operations", "operations", 0, 1_000_000)
                .orElse(BotSettings.Retention.DEFAULTS.minOperations());
        return new BotSettings.Retention(keep, min);
    }

    /** {@code host:port}, {@code [v6]:port} or {@code off}; port 0 picks a free port. */
    private static Optional<BotSettings.WebAddress> web(ConfigSection s) {
        Optional<String> v = s.string("web");
        if (v.isEmpty() || v.get().equals("off")) {
            return Optional.empty();
        }
        Matcher m = WEB.matcher(v.get());
        if (!m.matches()) {
            s.error("web", "\"" + v.get() + "\" is not host:port or off");
            return Optional.empty();
        }
        String host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
        int port;
        try {
            port = Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            s.error("web", "port \"" + m.group(2) + "\" is not a whole number");
            return Optional.empty();
        }
        if (port < 0 || port > 65535) {
            s.error("web", "port " + port + " is out of range 0-65535");
            return Optional.empty();
        }
        return Optional.of(new BotSettings.WebAddress(host, port));
    }

    /** {@code services:}: each service's entry read by its reader in {@link ServiceTypes}. */
    private static ServicesConfig services(Optional<ConfigSection> section) {
        if (section.isEmpty()) {
            return ServicesConfig.NONE;
        }
        List<ServiceSettings> configured = new ArrayList<>();
        for (ServiceType<?> type : ServiceTypes.ALL) {
            Optional<ServiceSettings> settings = section.get().section(type.name(), type.reader().keys())
                    .flatMap(entry -> type.reader().read(entry));
            settings.ifPresent(configured::add);
        }
        return new ServicesConfig(configured);
    }
}
