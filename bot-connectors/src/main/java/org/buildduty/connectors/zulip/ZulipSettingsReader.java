package org.buildduty.connectors.zulip;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.buildduty.core.config.ConfigException;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;

/**
 * Reads a {@code type: zulip} entry of {@code connectors:} into {@link ZulipSettings}: site, email and API key from
 * the entry, or from the {@code [api]} section of a {@code zuliprc} file (read at load time), not both. Identities
 * that name it are emails.
 */
public final class ZulipSettingsReader implements ConnectorSettings.Reader<ZulipSettings> {
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

    @Override
    public String type() {
        return "zulip";
    }

    @Override
    public Set<String> keys() {
        return Set.of("site", "email", "api_key_env", "api_key_file", "zuliprc", "streams");
    }

    @Override
    public Optional<ZulipSettings> read(ConfigSection s, String botNick) {
        List<String> streams = s.strings("streams", ConfigSection.ItemCheck.ANY);
        if (s.has("zuliprc")) {
            for (String k : List.of("site", "email", "api_key_env", "api_key_file")) {
                if (s.has(k)) {
                    s.error(k, "give either zuliprc or site, email and api_key_env/api_key_file, not both");
                    return Optional.empty();
                }
            }
            return s.path("zuliprc").flatMap(p -> zuliprc(s, p, streams));
        }
        Optional<URI> site = s.has("site") ? s.url("site") : missing(s, "site");
        Optional<String> email = s.has("email")
                ? s.matching("email", EMAIL, "is not an email address") : missing(s, "email");
        Optional<Secret> key = s.requiredSecret("api_key");
        if (site.isEmpty() || email.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ZulipSettings(site.get(), email.get(), key.get(), Optional.empty(), streams));
    }

    /** Emails. */
    @Override
    public ConnectorSettings.PrincipalCheck principals(ConfigNode entry) {
        return (id, principal) -> EMAIL.matcher(principal).matches() ? Optional.empty()
                : Optional.of("is not a Zulip email (" + id + ":name@example.com)");
    }

    /** Reads {@code [api]} email, key and site from a zuliprc file. */
    private static Optional<ZulipSettings> zuliprc(ConfigSection s, Path p, List<String> streams) {
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
        List<String> lines = ConfigSection.readText(p).lines().toList();
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

    private static <T> Optional<T> missing(ConfigSection s, String key) {
        s.missing(key);
        return Optional.empty();
    }
}
