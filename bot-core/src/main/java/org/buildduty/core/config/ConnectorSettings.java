package org.buildduty.core.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of one entry of {@code connectors:}, as its connector type reads them: every option is defined once,
 * by the type's {@link Reader}, with its default. The settings name the secrets they hold, so the bot redacts them
 * (and their Basic form) from chat, journal and logs and keeps their environment variables from local commands.
 *
 * <pre>{@code
 * record EchoSettings(String room, Secret token) implements ConnectorSettings {
 *     public List<Secret> secrets() {
 *         return List.of(token);
 *     }
 * }
 * }</pre>
 */
public interface ConnectorSettings {
    /** Every secret these settings hold. */
    List<Secret> secrets();

    /** The logins these settings send as HTTP Basic credentials, {@code base64(user:secret)}; none by default. */
    default List<BasicLogin> basicLogins() {
        return List.of();
    }

    /**
     * True when the principals of this connector are {@code nick!user@host} strings that roles list as masks with
     * {@code *} and {@code ?} (IRC with {@code identity: hostmask}); false by default.
     */
    default boolean hostmaskPrincipals() {
        return false;
    }

    /**
     * The rooms this connector is configured to be in (IRC channels, Matrix rooms, Zulip streams), where a notice
     * for every room goes; none by default.
     */
    default List<String> rooms() {
        return List.of();
    }

    /**
     * True when messages sent while the bot was away are read once it is back (Matrix's sync, Zulip's catch-up);
     * false by default, as on IRC, where they are never seen.
     */
    default boolean catchesUp() {
        return false;
    }

    /** A user and the secret sent with it as Basic credentials. */
    record BasicLogin(String user, Secret secret) {
    }

    /**
     * Reads one connector type's entries: the value of {@code type:}, the keys the entry may have besides {@code id}
     * and {@code type}, and the settings. Problems go to the section's list as {@code file:line: field: message}.
     *
     * @param <S> the type's settings
     */
    interface Reader<S extends ConnectorSettings> {
        /** The value of {@code type:} that selects this reader. */
        String type();

        /** The keys an entry of this type may have besides {@code id} and {@code type}. */
        Set<String> keys();

        /**
         * The settings of one entry, whose keys are already checked; empty when a problem was recorded that leaves
         * no usable settings.
         *
         * @param entry   the entry of {@code connectors:}
         * @param botNick the bot's {@code bot.nick}, for types that default to it
         */
        Optional<S> read(ConfigSection entry, String botNick);

        /**
         * How {@code roles:} and {@code people:} entries naming a connector of this type are checked; by default a
         * principal only has to be non-empty. {@code entry} is the connector's raw entry (it may not have read).
         */
        default PrincipalCheck principals(ConfigNode entry) {
            return PrincipalCheck.NOT_EMPTY;
        }
    }

    /** Checks the principal of an identity {@code <connector-id>:<principal>} written in the file. */
    @FunctionalInterface
    interface PrincipalCheck {
        /** Any principal that is not blank. */
        PrincipalCheck NOT_EMPTY = (id, principal) -> principal.isBlank()
                ? Optional.of("has an empty principal") : Optional.empty();

        /** Empty when {@code principal} is fine for connector {@code id}, else what follows the quoted identity. */
        Optional<String> problem(String id, String principal);
    }
}
