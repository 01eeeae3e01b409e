package org.buildduty.connectors.matrix;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;

/**
 * Reads a {@code type: matrix} entry of {@code connectors:} into {@link MatrixSettings}: an access token or a
 * password to log in with is required. Identities that name it are Matrix user ids ({@code @name:server}).
 */
public final class MatrixSettingsReader implements ConnectorSettings.Reader<MatrixSettings> {
    private static final Pattern USER = Pattern.compile("@[^:\\s]+:\\S+");
    private static final Pattern ROOM = Pattern.compile("[!#][^:\\s]+:\\S+");

    @Override
    public String type() {
        return "matrix";
    }

    @Override
    public Set<String> keys() {
        return Set.of("homeserver", "user", "access_token_env", "access_token_file", "password_env", "password_file",
                "rooms", "allow_invites_from");
    }

    @Override
    public Optional<MatrixSettings> read(ConfigSection s, String botNick) {
        Optional<URI> homeserver = s.has("homeserver") ? s.url("homeserver") : missing(s, "homeserver");
        Optional<String> user = s.has("user")
                ? s.matching("user", USER, "is not a Matrix user id (@name:server)") : missing(s, "user");
        Optional<Secret> token = s.secret("access_token");
        Optional<Secret> password = s.secret("password");
        boolean anyCredential = List.of("access_token", "password").stream()
                .anyMatch(b -> s.has(b) || s.has(b + "_env") || s.has(b + "_file"));
        if (!anyCredential) {
            s.error("access_token_env", "missing (or access_token_file; or password_env/password_file to log in)");
        }
        List<String> rooms = s.strings("rooms",
                ConfigSection.ItemCheck.matching(ROOM, "is not a room id (!id:server) or alias (#name:server)"));
        List<String> invites = s.strings("allow_invites_from",
                ConfigSection.ItemCheck.matching(USER, "is not a Matrix user id (@name:server)"));
        if (homeserver.isEmpty() || user.isEmpty() || (token.isEmpty() && password.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new MatrixSettings(homeserver.get(), user.get(), token, password, rooms, invites));
    }

    /** Matrix user ids. */
    @Override
    public ConnectorSettings.PrincipalCheck principals(ConfigNode entry) {
        return (id, principal) -> USER.matcher(principal).matches() ? Optional.empty()
                : Optional.of("is not a Matrix user id (" + id + ":@name:server)");
    }

    private static <T> Optional<T> missing(ConfigSection s, String key) {
        s.missing(key);
        return Optional.empty();
    }
}
