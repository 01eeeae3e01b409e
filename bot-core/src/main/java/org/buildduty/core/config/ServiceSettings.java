package org.buildduty.core.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of one entry of {@code services:} (an external service the commands talk to, such as Buildbot), as
 * the service's own {@link Reader} reads them: every option is defined once, with its default. Like
 * {@link ConnectorSettings}, the settings name the secrets they hold, so the bot redacts them (and their Basic form)
 * from chat, journal and logs and keeps their environment variables from local commands.
 *
 * <pre>{@code
 * record PagerSettings(URI url, Secret token) implements ServiceSettings {
 *     public List<Secret> secrets() {
 *         return List.of(token);
 *     }
 * }
 * }</pre>
 */
public interface ServiceSettings {
    /** Every secret these settings hold. */
    List<Secret> secrets();

    /** The logins these settings send as HTTP Basic credentials, {@code base64(user:secret)}; none by default. */
    default List<ConnectorSettings.BasicLogin> basicLogins() {
        return List.of();
    }

    /**
     * Reads one service's entry: its key under {@code services:}, the keys the entry may have, and the settings.
     * Problems go to the section's list as {@code file:line: field: message}.
     *
     * @param <S> the service's settings
     */
    interface Reader<S extends ServiceSettings> {
        /** The key under {@code services:} this reader reads, e.g. {@code buildbot}. */
        String name();

        /** The keys the entry may have. */
        Set<String> keys();

        /**
         * The settings of the entry, whose keys are already checked; empty when a problem was recorded that leaves
         * no usable settings.
         */
        Optional<S> read(ConfigSection entry);
    }
}
