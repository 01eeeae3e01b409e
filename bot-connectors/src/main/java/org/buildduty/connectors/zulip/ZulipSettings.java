package org.buildduty.connectors.zulip;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;

/**
 * A Zulip connector as the configuration file gives it ({@link ZulipSettingsReader} reads it;
 * {@link ZulipConfig#of(String, ZulipSettings)} turns it into the connector's settings). Site, email and API key come
 * from the file ({@code site}, {@code email}, {@code api_key_env} or {@code api_key_file}) or from a {@code zuliprc}
 * file's {@code [api]} section, read at load time.
 *
 * @param site    the Zulip server's base URL
 * @param email   the bot's email
 * @param apiKey  the bot's API key
 * @param zuliprc the zuliprc file they were read from, if any
 * @param streams streams the bot listens in
 */
public record ZulipSettings(URI site, String email, Secret apiKey, Optional<Path> zuliprc, List<String> streams)
        implements ConnectorSettings {

    public ZulipSettings {
        streams = List.copyOf(streams);
    }

    /** The API key. */
    @Override
    public List<Secret> secrets() {
        return List.of(apiKey);
    }

    /** The streams. */
    @Override
    public List<String> rooms() {
        return streams;
    }

    /** Zulip keeps what was sent meanwhile: the connector reads it from its last message id. */
    @Override
    public boolean catchesUp() {
        return true;
    }

    /** The bot's email and API key, sent as Basic credentials on every request. */
    @Override
    public List<BasicLogin> basicLogins() {
        return List.of(new BasicLogin(email, apiKey));
    }
}
