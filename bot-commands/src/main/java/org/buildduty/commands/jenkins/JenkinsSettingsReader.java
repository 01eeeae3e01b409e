package org.buildduty.commands.jenkins;

import java.net.URI;
import java.util.Optional;
import java.util.Set;

import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.Secret;
import org.buildduty.core.config.ServiceSettings;

/**
 * Reads {@code services.jenkins}: {@code url} and {@code user} (required), and the user's API token
 * ({@code token_env} or {@code token_file}) or, instead, its password ({@code password_env} or
 * {@code password_file}): exactly one of the two.
 */
public final class JenkinsSettingsReader implements ServiceSettings.Reader<JenkinsSettings> {
    private static final Set<String> KEYS = Set.of("url", "user", "token_env", "token_file", "password_env",
            "password_file");

    @Override
    public String name() {
        return "jenkins";
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public Optional<JenkinsSettings> read(ConfigSection j) {
        Optional<URI> url = j.has("url") ? j.url("url") : missing(j, "url");
        Optional<String> user = j.has("user") ? j.string("user") : missing(j, "user");
        boolean token = j.has("token_env") || j.has("token_file");
        boolean password = j.has("password_env") || j.has("password_file");
        if (token && password) {
            j.error("password_env", "give a token (token_env or token_file) or a password, not both");
            return Optional.empty();
        }
        if (!token && !password) {
            j.error("token_env", "missing (or token_file; or password_env, password_file)");
            return Optional.empty();
        }
        Optional<Secret> t = token ? j.secret("token") : Optional.empty();
        Optional<Secret> p = password ? j.secret("password") : Optional.empty();
        if (t.isEmpty() && p.isEmpty()) {
            return Optional.empty();
        }
        return url.flatMap(u -> user.map(us -> new JenkinsSettings(u, us, t, p)));
    }

    private static <T> Optional<T> missing(ConfigSection s, String key) {
        s.missing(key);
        return Optional.empty();
    }
}
