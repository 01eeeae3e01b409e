package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.app.config.ConfigLoader;
import org.buildduty.core.config.ConfigException;

/** What {@link Bot#catalog} refuses, as start-up, {@code --check} and a reload all see it. */
class BotCatalogTest {
    @TempDir
    Path dir;

    @Test
    void anAliasAnotherCommandHasIsAFileLineErrorNotACrash() throws IOException {
        BotFiles.consoleConfig(dir, "off", "");
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/taken.yml"), String.join("\n",
                "name: taken",
                "description: an alias the bot already has",
                "alias: help",
                "role: anyone",
                "steps:",
                "  - name: one",
                "    local: { command: \"true\" }",
                ""));
        assertThatThrownBy(() -> Bot.catalog(ConfigLoader.load(dir.resolve("buildduty.yml"), Map.of(), dir)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        dir.resolve("runbooks/taken.yml") + ":3: alias: \"help\" is already a command of the bot;"
                                + " choose another alias"));
    }

    @Test
    void commandsOfServicesNotConfiguredAreAnsweredWithTheKeyAndStayOutOfHelp() throws IOException {
        BotFiles.consoleConfig(dir, "off", "");
        Files.createDirectories(dir.resolve("runbooks"));
        Bot.Catalog catalog = Bot.catalog(ConfigLoader.load(dir.resolve("buildduty.yml"), Map.of(), dir));
        assertThat(catalog.registry().notConfigured(List.of("mbs", "watch", "570"))).contains(
                "mbs is not configured on this bot: add services.mbs (url, ...) to the configuration");
        assertThat(catalog.registry().notConfigured(List.of("force", "tests"))).contains(
                "buildbot is not configured on this bot: add services.buildbot (url, ...) to the configuration");
        assertThat(catalog.registry().notConfigured(List.of("builds", "running"))).isPresent();
        assertThat(catalog.registry().notConfigured(List.of("help"))).isEmpty();
        assertThat(catalog.registry().all()).extracting(c -> c.name()).doesNotContain("mbs", "force", "builds");
    }
}
