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
import org.buildduty.exec.testing.Sshd;

/** What {@link Catalog#of} refuses, as start-up, {@code --check} and a reload all see it. */
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
        assertThatThrownBy(() -> Catalog.of(ConfigLoader.load(dir.resolve("buildduty.yml"), Map.of(), dir)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        dir.resolve("runbooks/taken.yml") + ":3: alias: \"help\" is already a command of the bot;"
                                + " choose another alias"));
    }

    @Test
    void aMissingRunbookFolderIsAnErrorNamingTheFileTheFieldAndWherePathsResolve() throws IOException {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(etc.resolve("bot.yml"), "bot: { runbooks: books, web: \"off\" }\n"
                + "connectors: [{id: console, type: console}]\n");
        assertThatThrownBy(() -> Catalog.of(ConfigLoader.load(etc.resolve("bot.yml"), Map.of())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).containsExactly(
                        etc.resolve("bot.yml") + ": bot.runbooks: the runbook folder " + etc.resolve("books")
                                + " does not exist (relative paths resolve against the folder of the configuration "
                                + "file, " + etc + ")"));
    }

    @Test
    void theShippedConfigWithoutServicesJenkinsLoadsKernelciProdUpdateAndItsJenkinsStepsFailAtRun() {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Catalog c = Catalog.of(ConfigLoader.load(repo.resolve("config/buildduty.yml"), Map.of()));

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
        Catalog catalog = Catalog.of(ConfigLoader.load(dir.resolve("buildduty.yml"), Map.of(), dir));
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
        Catalog c = Catalog.of(ConfigLoader.load(repo.resolve("config/buildduty.yml"), Map.of()));
        assertThat(c.runbooks()).extracting(r -> r.name()).contains("reconfig", "buildbot-update");
    }

    private Path keygen(String name, String passphrase) throws IOException {
        Path key = dir.resolve(name);
        Sshd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "test", "-f", key.toString());
        return key;
    }

    private Catalog catalog(Map<String, String> env) {
        return Catalog.of(ConfigLoader.load(dir.resolve("buildduty.yml"), env, dir));
    }

    private List<String> errors(Map<String, String> env) {
        try {
            catalog(env);
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("no error");
    }

    @Test
    void keyFilesThatCannotLogInAreErrorsAtTheirLine() throws IOException {
        Path good = keygen("id_good", "");
        keygen("id_enc", "s3cr3t-phrase");
        Files.createDirectories(dir.resolve("runbooks"));
        BotFiles.consoleConfig(dir, "off", String.join("\n",
                "inventory:",
                "  ssh:",
                "    known_hosts: known_hosts",
                "    key_file: no_such_key",
                "  hosts:",
                "    web1: { address: 10.0.0.1, key_file: id_good.pub }",
                "    web2: { address: 10.0.0.2, key_file: id_enc }",
                "    web3: { address: 10.0.0.3, key_file: id_good }",
                ""));
        Files.writeString(dir.resolve("known_hosts"), "");
        String file = dir.resolve("buildduty.yml").toString();

        assertThat(errors(Map.of())).containsExactly(
                file + ":7: inventory.ssh.key_file: " + dir.resolve("no_such_key") + " does not exist",
                file + ":9: inventory.hosts.web1.key_file: " + good + ".pub is a public key: key_file is the private"
                        + " key, " + good,
                file + ":10: inventory.hosts.web2.key_file: " + dir.resolve("id_enc") + " is encrypted and no "
                        + "passphrase is configured: set passphrase_env or passphrase_file in inventory.ssh");
    }

    @Test
    void aMissingKnownHostsFileIsAnErrorNamingItsPathAndHowToFillIt() throws IOException {
        keygen("id", "");
        Files.createDirectories(dir.resolve("runbooks"));
        BotFiles.consoleConfig(dir, "off", String.join("\n",
                "inventory:",
                "  ssh: { known_hosts: config/known_hosts, key_file: id }",
                "  hosts:",
                "    bastion: { address: bastion.example.org, port: 2222 }",
                ""));
        assertThat(errors(Map.of())).containsExactly(dir.resolve("buildduty.yml") + ":5: inventory.ssh.known_hosts: "
                + dir.resolve("config/known_hosts") + " does not exist: create it with the hosts' keys, checking each"
                + " fingerprint, e.g. ssh-keyscan -p 2222 bastion.example.org >> " + dir.resolve("config/known_hosts"));
    }

    @Test
    void aHostMissingFromKnownHostsIsAWarningWithTheLineToAddIt() throws IOException {
        keygen("id", "");
        String blob = Files.readString(keygen("hostkey", "").resolveSibling("hostkey.pub")).split(" ")[1];
        Path known = Files.writeString(dir.resolve("known_hosts"), "bastion.example.org ssh-ed25519 " + blob + "\n"
                + "10.0.1.11 ssh-ed25519 " + blob + "\n");
        Sshd.run("ssh-keygen", "-q", "-H", "-f", known.toString());
        Files.createDirectories(dir.resolve("runbooks"));
        BotFiles.consoleConfig(dir, "off", String.join("\n",
                "inventory:",
                "  ssh: { known_hosts: known_hosts, key_file: id, user: bd }",
                "  hosts:",
                "    bastion: { address: bastion.example.org, port: 2222 }",
                "    web01: { address: 10.0.1.11, jump: bastion }",
                "    web02: { address: 10.0.1.12, jump: bastion }",
                "    other: { address: other.example.org, port: 2200 }",
                ""));

        Catalog c = catalog(Map.of());

        String file = dir.resolve("buildduty.yml").toString();
        assertThat(c.warnings()).containsExactly(
                file + ":9: inventory.hosts.web02: warning: no host key for 10.0.1.12 in " + known + "; once you have"
                        + " checked its fingerprint, add it: ssh -p 2222 bd@bastion.example.org ssh-keyscan -p 22"
                        + " 10.0.1.12 >> " + known,
                file + ":10: inventory.hosts.other: warning: no host key for [other.example.org]:2200 in " + known
                        + "; once you have checked its fingerprint, add it: ssh-keyscan -p 2200 other.example.org >> "
                        + known);
    }

    @Test
    void hostsWithNoKeyToLogInWithAreAnError() throws IOException {
        Files.writeString(dir.resolve("known_hosts"), "");
        Files.createDirectories(dir.resolve("runbooks"));
        BotFiles.consoleConfig(dir, "off", String.join("\n",
                "inventory:",
                "  ssh: { known_hosts: known_hosts, user: bd }",
                "  hosts:",
                "    web1: { address: web1.example.org }",
                ""));
        assertThat(errors(Map.of())).containsExactly(dir.resolve("buildduty.yml") + ":5: inventory.ssh: no key to"
                + " log in to web1 with: set inventory.ssh.key_file (or agent: true)");
    }

    @Test
    void anAnnounceStepToAConnectorThatIsNotConfiguredIsAnErrorAtItsLine() throws IOException {
        BotFiles.consoleConfig(dir, "off", "");
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/tell.yml"), String.join("\n",
                "name: tell",
                "role: anyone",
                "steps:",
                "  - name: tell releng",
                "    announce:",
                "      to: \"irc:#releng\"",
                "      text: done",
                ""));
        assertThat(errors(Map.of())).containsExactly(dir.resolve("runbooks/tell.yml") + ":6: steps[0].announce.to:"
                + " \"irc:#releng\" names no configured connector \"irc\" (connectors: console)");
    }

    @Test
    void anMbsStepWithoutServicesMbsSaysWhatItNeeds() throws IOException {
        BotFiles.consoleConfig(dir, "off", "");
        Files.createDirectories(dir.resolve("runbooks"));
        Files.writeString(dir.resolve("runbooks/build.yml"), String.join("\n",
                "name: build",
                "role: anyone",
                "steps:",
                "  - name: submit",
                "    mbs: { action: submit }",
                ""));
        assertThat(errors(Map.of())).containsExactly(dir.resolve("runbooks/build.yml") + ":5: steps[0].mbs: needs"
                + " services.mbs (not configured): add services.mbs (url, ...) to the configuration, or remove the"
                + " step");
    }
}
