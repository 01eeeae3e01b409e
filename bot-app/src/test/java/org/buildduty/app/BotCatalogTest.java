package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The shipped runbooks load with the real step kinds (as --check loads them), not only the standard set. */
    @Test
    void theShippedConfigurationLoadsEveryShippedRunbookWithTheRealStepKinds() {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Bot.Catalog c = Bot.catalog(ConfigLoader.load(repo.resolve("config/buildduty.yml"), Map.of(), repo));
        assertThat(c.runbooks()).extracting(r -> r.name()).contains("reconfig", "buildbot-update");
    }
}
