package org.buildduty.app.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.buildduty.core.config.Secret;

/**
 * The whole validated configuration file, as {@link ConfigLoader} returns it. Secrets are resolved {@link Secret}s,
 * so {@link #toString()} never shows one.
 *
 * @param bot       the {@code bot:} section
 * @param connectors the chat connectors, in file order, ids unique
 * @param roles     role name → identities {@code <connector-id>:<principal>} (IRC hostmask connectors list masks)
 * @param people    person's name → the identities that person uses, in the syntax of {@code roles}; approvals count
 *                  people
 * @param inventory hosts, groups, disk roots and SSH settings
 * @param services  the external services (Buildbot, MBS) that are configured
 * @param credentials name → credential for {@code http} and {@code wait_until} steps ({@code auth: NAME}), including
 *                  {@code buildbot} when {@code services.buildbot} has a user
 * @param baseDir   the directory relative paths were resolved against: the configuration file's folder
 * @param source    the file as its errors name it ({@code config/buildduty.yml}), for errors found after loading
 */
public record BotConfig(BotSettings bot, List<ConnectorConfig> connectors, Map<String, List<String>> roles,
        Map<String, List<String>> people, InventoryConfig inventory, ServicesConfig services,
        Map<String, CredentialConfig> credentials, Path baseDir, String source) {

    /** A configuration not read from a named file. */
    public BotConfig(BotSettings bot, List<ConnectorConfig> connectors, Map<String, List<String>> roles,
            Map<String, List<String>> people, InventoryConfig inventory, ServicesConfig services,
            Map<String, CredentialConfig> credentials, Path baseDir) {
        this(bot, connectors, roles, people, inventory, services, credentials, baseDir, "the configuration");
    }

    public BotConfig {
        connectors = List.copyOf(connectors);
        credentials = Collections.unmodifiableMap(new LinkedHashMap<>(credentials));
    }

    /** The connector with this id. */
    public Optional<ConnectorConfig> connector(String id) {
        return connectors.stream().filter(c -> c.id().equals(id)).findFirst();
    }
}
