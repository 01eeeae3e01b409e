package org.buildduty.connectors.console;

import java.util.List;

import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;

/** The console connector (stdin/stdout, identity {@code <id>:local}) has no settings. */
public record ConsoleSettings() implements ConnectorSettings {
    /** None. */
    @Override
    public List<Secret> secrets() {
        return List.of();
    }

    /** The one console room. */
    @Override
    public List<String> rooms() {
        return List.of(ConsoleConnector.ROOM);
    }
}
