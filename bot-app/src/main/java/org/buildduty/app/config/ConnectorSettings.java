package org.buildduty.app.config;

/** The type-specific settings of a connector. */
public sealed interface ConnectorSettings permits ConsoleSettings, IrcSettings, MatrixSettings, ZulipSettings {
}
