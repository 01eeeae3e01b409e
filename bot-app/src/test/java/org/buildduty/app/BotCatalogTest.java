package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.app.config.ConfigLoader;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.RecordingExecContext;

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
    void aMissingRunbookFolderIsAnErrorNamingTheFileTheFieldAndWherePathsResolve() throws IOException {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(etc.resolve("bot.yml"), "bot: { runbooks: books, web: \"off\" }\n"
                + "connectors: [{id: console, type: console}]\n");
        assertThatThrownBy(() -> Bot.catalog(ConfigLoader.load(etc.resolve("bot.yml"), Map.of())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        etc.resolve("bot.yml") + ": bot.runbooks: the runbook folder " + etc.resolve("books")
                                + " does not exist (relative paths resolve against the folder of the configuration "
                                + "file, " + etc + ")"));
    }

    @Test
    void theShippedConfigWithoutServicesJenkinsLoadsKernelciProdUpdateAndItsJenkinsStepsFailAtRun() {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Bot.Catalog c = Bot.catalog(ConfigLoader.load(repo.resolve("config/buildduty.yml"), Map.of()));

        assertThat(c.runbooks()).extracting(Runbook::name).contains("kernelci-prod-update");
        StepExecutor jenkins = c.executors().stream().filter(e -> e.kind().equals("jenkins")).findFirst()
                .orElseThrow();
        StepSpec step = new StepSpec("pause", "jenkins", Map.of("action", "disable", "job", "kernel-tree-monitor"),
                List.of(), 1, Duration.ofMinutes(1), null, OnHostFailure.STOP, null);
        StepResult r = jenkins.execute(new ExecRequest(new OperationId(1), step, null, Duration.ofMinutes(1)),
                new RecordingExecContext());
        assertThat(r.reason()).isEqualTo("jenkins steps need services.jenkins (url, user, token_env) in the "
                + "configuration");
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

    /** The shipped runbooks load with the real step kinds (as --check loads them), not only the standard set. */
    @Test
    void theShippedConfigurationLoadsEveryShippedRunbookWithTheRealStepKinds() {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Bot.Catalog c = Bot.catalog(ConfigLoader.load(repo.resolve("config/buildduty.yml"), Map.of()));
        assertThat(c.runbooks()).extracting(r -> r.name()).contains("reconfig", "buildbot-update");
    }
}
