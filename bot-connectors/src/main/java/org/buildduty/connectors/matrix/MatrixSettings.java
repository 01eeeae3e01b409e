package org.buildduty.connectors.matrix;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;

/**
 * A Matrix connector as the configuration file gives it ({@link MatrixSettingsReader} reads it; {@link
 * MatrixConfig#of} turns it into the connector's settings). At least one of {@code accessToken} and {@code password}
 * is present; with only a password the connector logs in.
 *
 * @param homeserver       the Client-Server API base URL
 * @param user             the bot's user id, {@code @name:server}
 * @param accessToken      from {@code access_token_env} or {@code access_token_file}
 * @param password         from {@code password_env} or {@code password_file}, to log in
 * @param rooms            room ids ({@code !x:server}) or aliases ({@code #x:server}) to join
 * @param allowInvitesFrom user ids whose invites the bot accepts
 */
public record MatrixSettings(URI homeserver, String user, Optional<Secret> accessToken, Optional<Secret> password,
        List<String> rooms, List<String> allowInvitesFrom) implements ConnectorSettings {

    public MatrixSettings {
        rooms = List.copyOf(rooms);
        allowInvitesFrom = List.copyOf(allowInvitesFrom);
    }

    /** The access token and the password, those given. */
    @Override
    public List<Secret> secrets() {
        return Stream.of(accessToken, password).flatMap(Optional::stream).toList();
    }

    /** Matrix keeps what was sent meanwhile: the connector syncs from its stored position. */
    @Override
    public boolean catchesUp() {
        return true;
    }
}
