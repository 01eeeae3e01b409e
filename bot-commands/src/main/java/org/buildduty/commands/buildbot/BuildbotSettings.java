package org.buildduty.commands.buildbot;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;
import org.buildduty.core.config.ServiceSettings;

/**
 * {@code services.buildbot}: the Buildbot master's REST API, as {@link BuildbotSettingsReader} reads it.
 *
 * @param url          its base URL
 * @param user         login user, if any
 * @param password     present exactly when {@code user} is
 * @param scheduler    the force scheduler {@code force} uses (default {@code force})
 * @param repositories builder name → the git repository its branches and pull requests are resolved in
 */
public record BuildbotSettings(URI url, Optional<String> user, Optional<Secret> password, String scheduler,
        Map<String, String> repositories) implements ServiceSettings {
    public BuildbotSettings {
        repositories = Map.copyOf(repositories);
    }

    /** The password, if any. */
    @Override
    public List<Secret> secrets() {
        return password.map(List::of).orElse(List.of());
    }

    /** The user and password, sent as Basic credentials to log in. */
    @Override
    public List<ConnectorSettings.BasicLogin> basicLogins() {
        return user.flatMap(u -> password.map(p -> List.of(new ConnectorSettings.BasicLogin(u, p))))
                .orElse(List.of());
    }

    /** The client of these settings: logged in as the user, or anonymous. Creating it opens nothing. */
    public BuildbotClient client() {
        return user.isPresent()
                ? BuildbotClient.of(url, user.get(), () -> password.map(Secret::reveal).orElse(""))
                : BuildbotClient.anonymous(url);
    }
}
