package org.buildduty.app.config;

/** The console connector (stdin/stdout, identity {@code <id>:local}) has no settings. */
public record ConsoleSettings() implements ConnectorSettings {
}
