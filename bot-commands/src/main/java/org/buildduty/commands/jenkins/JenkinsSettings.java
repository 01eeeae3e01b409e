package org.buildduty.commands.jenkins;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;
import org.buildduty.core.config.ServiceSettings;

/**
 * {@code services.jenkins}: a Jenkins controller, as {@link JenkinsSettingsReader} reads it.
 *
 * @param url      its root URL
 * @param user     the user the bot acts as
 * @param token    the user's API token (Basic auth, no crumb needed), if given
 * @param password the user's password (Basic auth plus a crumb and the session cookie on every POST), if given
 *                 instead of a token
 */
public record JenkinsSettings(URI url, String user, Optional<Secret> token, Optional<Secret> password)
        implements ServiceSettings {

    /** The token or the password. */
    @Override
    public List<Secret> secrets() {
        List<Secret> out = new ArrayList<>();
        token.ifPresent(out::add);
        password.ifPresent(out::add);
        return out;
    }

    /** The user and token (or password), sent as Basic credentials on every request. */
    @Override
    public List<ConnectorSettings.BasicLogin> basicLogins() {
        return token.or(() -> password).map(s -> List.of(new ConnectorSettings.BasicLogin(user, s))).orElse(List.of());
    }

    /** The client of these settings; creating it opens nothing. */
    public JenkinsClient client() {
        if (token.isPresent()) {
            return JenkinsClient.withToken(url, user, () -> token.get().reveal());
        }
        return JenkinsClient.withPassword(url, user, () -> password.map(Secret::reveal).orElse(""));
    }
}
