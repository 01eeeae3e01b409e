package org.buildduty.commands.buildbot;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.Secret;
import org.buildduty.core.config.ServiceSettings;

/**
 * Reads {@code services.buildbot}: {@code url} (required), {@code user} with {@code password_env} or
 * {@code password_file}, {@code scheduler} (default {@code force}), and {@code repositories} (builder name → git
 * repository).
 */
public final class BuildbotSettingsReader implements ServiceSettings.Reader<BuildbotSettings> {
    private static final Set<String> KEYS = Set.of("url", "user", "password_env", "password_file", "scheduler",
            "repositories");

    @Override
    public String name() {
        return "buildbot";
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public Optional<BuildbotSettings> read(ConfigSection b) {
        Optional<URI> url = b.has("url") ? b.url("url") : missing(b, "url");
        Optional<String> user = b.string("user");
        Optional<Secret> password = user.isPresent() ? b.requiredSecret("password") : b.secret("password");
        if (user.isEmpty() && password.isPresent()) {
            b.error("user", "missing (a password is given)");
        }
        String scheduler = b.string("scheduler", "force");
        Map<String, String> repositories = new LinkedHashMap<>();
        b.namedEntries("repositories").ifPresent(rs -> rs.node().asMap().forEach((builder, repo) ->
                b.ctx().problems().check(repo::string).ifPresent(r -> repositories.put(builder, r))));
        return url.map(u -> new BuildbotSettings(u, user, password, scheduler, repositories));
    }

    private static <T> Optional<T> missing(ConfigSection s, String key) {
        s.missing(key);
        return Optional.empty();
    }
}
