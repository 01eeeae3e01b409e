package org.buildduty.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The files the end-to-end tests give a bot: a console-only configuration and one-step runbooks. */
final class BotFiles {
    /** A runbook {@code hello} for role releng: one step, {@code greet}, says hello to {@code who} (world). */
    static final String HELLO = """
            name: hello
            description: says hello
            role: releng
            params: { who: { type: string, default: world } }
            steps:
              - name: greet
                local: { command: "echo hello {{who}}" }
            """;

    private BotFiles() {
    }

    /**
     * Writes {@code dir/buildduty.yml}: journal {@code data/bot.db}, runbooks from {@code dir/runbooks}, the status
     * page at {@code web} ({@code "off"} or an address), the console connector, then {@code more} (YAML lines).
     */
    static void consoleConfig(Path dir, String web, String more) throws IOException {
        Files.writeString(dir.resolve("buildduty.yml"), """
                bot: { journal: data/bot.db, runbooks: runbooks, web: "%s" }
                connectors:
                  - { id: console, type: console }
                """.formatted(web) + more);
    }

    /** Writes {@code dir/runbooks/NAME.yml}: anyone may run it; one local step, named as the runbook, runs command. */
    static void localRunbook(Path dir, String name, String description, String command) throws IOException {
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/" + name + ".yml"), String.join("\n",
                "name: " + name,
                "role: anyone",
                "description: " + description,
                "steps:",
                "  - name: " + name,
                "    local: { command: \"" + command + "\" }",
                ""));
    }
}
