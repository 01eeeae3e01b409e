package org.buildduty.app.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A Zulip connector. Site, email and API key come from the file ({@code site}, {@code email}, {@code api_key_env} or
 * {@code api_key_file}) or from a {@code zuliprc} file's {@code [api]} section, read at load time.
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
}
