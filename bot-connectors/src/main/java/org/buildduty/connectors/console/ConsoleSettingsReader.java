package org.buildduty.connectors.console;

import java.util.Optional;
import java.util.Set;

import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.ConnectorSettings;

/** Reads a {@code type: console} entry of {@code connectors:}: it has no keys besides {@code id} and {@code type}. */
public final class ConsoleSettingsReader implements ConnectorSettings.Reader<ConsoleSettings> {
    @Override
    public String type() {
        return "console";
    }

    @Override
    public Set<String> keys() {
        return Set.of();
    }

    @Override
    public Optional<ConsoleSettings> read(ConfigSection entry, String botNick) {
        return Optional.of(new ConsoleSettings());
    }
}
