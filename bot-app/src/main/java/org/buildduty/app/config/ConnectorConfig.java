package org.buildduty.app.config;

import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConnectorSettings;

/**
 * One entry of {@code connectors:}: its id, its type and its validated, typed settings with secrets resolved.
 *
 * <pre>{@code
 * if (c.settings() instanceof IrcSettings irc) {
 *     String password = irc.sasl().map(s -> s.password().reveal()).orElse(null);
 * }
 * }</pre>
 *
 * @param id       {@code [a-z][a-z0-9_-]*}, unique; the first half of the identities it produces
 * @param type     the name of one of the {@link ConnectorTypes}: {@code console}, {@code irc}, {@code matrix} or
 *                 {@code zulip}
 * @param node     the entry in the file, for {@code file:line} in later errors
 * @param settings the type's settings, as its reader made them (e.g. {@code IrcSettings} of the irc connector)
 */
public record ConnectorConfig(String id, String type, ConfigNode node, ConnectorSettings settings) {

    /** The settings as the given type; an {@link IllegalStateException} if the connector is of another type. */
    public <T extends ConnectorSettings> T settings(Class<T> type) {
        if (!type.isInstance(settings)) {
            throw new IllegalStateException("connector " + id + " is " + this.type + ", not " + type.getSimpleName());
        }
        return type.cast(settings);
    }

    /** The type of this connector. */
    public ConnectorType<?, ?> connectorType() {
        return ConnectorTypes.named(type).orElseThrow();
    }

    @Override
    public String toString() {
        return "ConnectorConfig[id=" + id + ", type=" + type + ", settings=" + settings + "]";
    }
}
