package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.exec.testing.Sshd;

/**
 * The real jar's {@code --check} on configurations with many deliberate mistakes: everything that would fail only
 * when an operation runs (after its approval) is found before, one {@code file:line: field: message} line each.
 */
class CheckEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** Exit status and stdout and stderr lines of {@code --check} with {@code config}. */
    private record Checked(int status, List<String> out, List<String> err) {
    }

    private Checked check(String config) throws IOException, InterruptedException {
        try (BotProcess p = BotProcess.start(dir, List.of("--config", config, "--check"))) {
            int status = p.waitFor(WAIT);
            return new Checked(status, p.stdout(), p.stderr());
        }
    }

    private void write(String file, String... lines) throws IOException {
        Path p = dir.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, String.join("\n", lines) + "\n");
    }

    private String at(String file) {
        return dir.resolve(file).toString();
    }

    @Test
    void checkFindsEverythingThatWouldOtherwiseFailAfterApproval() throws Exception {
        // --check runs three times here (each a list of the lines it must print), then the bot starts once
        Files.createDirectories(dir.resolve("keys"));
        Sshd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "t", "-f", at("keys/id"));
        Sshd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cr3t", "-C", "t", "-f", at("keys/id_enc"));
        String hostKey = Files.readString(dir.resolve("keys/id.pub")).split(" ")[1];

        // 1. Mistakes in the configuration file's SSH files and in runbooks: exit 2, every line at once.
        write("bad.yml",
                "bot: { journal: data/bot.db, runbooks: runbooks-bad, web: \"off\" }",
                "connectors:",
                "  - { id: console, type: console }",
                "inventory:",
                "  ssh:",
                "    known_hosts: no_known_hosts",                                       // 6: missing file
                "    key_file: keys/missing_key",                                        // 7: missing key
                "  hosts:",
                "    web1: { address: web1.example.org, key_file: keys/id.pub }",        // 9: a public key
                "    web2: { address: web2.example.org, port: 2222, key_file: keys/id_enc }");   // 10: no passphrase
        write("runbooks-bad/announce.yml",
                "name: tell",
                "role: anyone",
                "steps:",
                "  - name: tell releng",
                "    announce: { to: \"irc:#releng\", text: done }");                     // 5: no irc connector
        write("runbooks-bad/block.yml",
                "name: block",
                "role: anyone",
                "params: { who: { type: string, default: world } }",
                "steps:",
                "  - name: greet",
                "    local:",
                "      command: |",
                "        echo one",
                "        echo \"hello {{who}}\"");                                    // 9: quoted placeholder
        write("runbooks-bad/broken.yml",
                "name: broken",
                "role: anyone",
                "steps: [ { name: s, local: { command: x } }");                        // 4: unclosed flow list
        write("runbooks-bad/build.yml",
                "name: build",
                "role: anyone",
                "steps:",
                "  - name: submit",
                "    mbs: { action: submit }");                                          // 5: no services.mbs
        write("runbooks-bad/typo.yml",
                "name: typo",
                "role: anyone",
                "steps:",
                "  - name: one",
                "    local: { command: x }",
                "    timout: 5m");                                                       // 6: timeout mistyped

        Checked bad = check("bad.yml");

        assertThat(bad.status()).as(String.join("\n", bad.err())).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err()).containsExactly(
                "bad.yml:6: inventory.ssh.known_hosts: " + at("no_known_hosts") + " does not exist: create it with"
                        + " the hosts' keys, checking each fingerprint, e.g. ssh-keyscan -p 22 web1.example.org >> "
                        + at("no_known_hosts"),
                "bad.yml:7: inventory.ssh.key_file: " + at("keys/missing_key") + " does not exist",
                "bad.yml:9: inventory.hosts.web1.key_file: " + at("keys/id.pub") + " is a public key: key_file is"
                        + " the private key, " + at("keys/id"),
                "bad.yml:10: inventory.hosts.web2.key_file: " + at("keys/id_enc") + " is encrypted and no"
                        + " passphrase is configured: set passphrase_env or passphrase_file in inventory.ssh",
                at("runbooks-bad/announce.yml") + ":5: steps[0].announce.to: \"irc:#releng\" names no configured"
                        + " connector \"irc\" (connectors: console)",
                at("runbooks-bad/block.yml") + ":9: steps[0].local.command: {{who}} is inside double quotes; write"
                        + " it bare, it is shell-quoted for you",
                at("runbooks-bad/broken.yml") + ":4: YAML syntax error at column 1: expected ',' or ']', but got"
                        + " <stream end> (while parsing a flow sequence at line 3, column 8)",
                at("runbooks-bad/build.yml") + ":5: steps[0].mbs: needs services.mbs (not configured): add"
                        + " services.mbs (url, ...) to the configuration, or remove the step",
                at("runbooks-bad/typo.yml") + ":6: steps[0].timout: unknown key - did you mean \"timeout\"? (known:"
                        + " name, on_host_failure, retries, rollback, stuck_after, timeout, or a step kind: announce,"
                        + " confirm, disk, http, jenkins, local, ssh, wait_until)");

        // 2. A mistyped key of the configuration file.
        write("typo.yml",
                "bot: { journal: data/bot.db, runbooks: runbooks-ok, web: \"off\" }",
                "connectors:",
                "  - { id: console, type: console }",
                "inventory:",
                "  ssh: { known_host: known_hosts }");                                   // 5: known_hosts mistyped
        Checked typo = check("typo.yml");

        assertThat(typo.status()).isEqualTo(2);
        assertThat(typo.err()).containsExactly("typo.yml:5: inventory.ssh.known_host: unknown key - did you mean"
                + " \"known_hosts\"? (known: agent, connect_timeout, keepalive, key_file, known_hosts, passphrase_env,"
                + " passphrase_file, user)");

        // 3. Only warnings (a host not in known_hosts, behind a jump host): printed, and the check passes.
        write("known_hosts",
                "[bastion.example.org]:2222 ssh-ed25519 " + hostKey,
                "10.0.1.11 ssh-ed25519 " + hostKey);
        Sshd.run("ssh-keygen", "-q", "-H", "-f", at("known_hosts"));
        write("runbooks-ok/hello.yml", BotFiles.HELLO);
        write("warn.yml",
                "bot: { journal: data/bot.db, runbooks: runbooks-ok, web: \"off\" }",
                "connectors:",
                "  - { id: console, type: console }",
                "roles: { releng: [] }",
                "inventory:",
                "  ssh: { known_hosts: known_hosts, key_file: keys/id, user: bd }",
                "  hosts:",
                "    bastion: { address: bastion.example.org, port: 2222 }",
                "    web01: { address: 10.0.1.11, jump: bastion }",
                "    web02: { address: 10.0.1.12, jump: bastion }");                      // 10: not in known_hosts
        Checked warn = check("warn.yml");

        assertThat(warn.status()).as(String.join("\n", warn.err())).isZero();
        assertThat(warn.err()).containsExactly("warn.yml:10: inventory.hosts.web02: warning: no host key for 10.0.1.12"
                + " in " + at("known_hosts") + "; once you have checked its fingerprint, add it: ssh -p 2222"
                + " bd@bastion.example.org ssh-keyscan -p 22 10.0.1.12 >> " + at("known_hosts"));
        assertThat(warn.out()).singleElement().asString()
                .matches("warn\\.yml: ok \\(\\d+ commands, 1 runbook, 1 warning\\)");
        assertThat(dir.resolve("data")).doesNotExist();

        // 4. The start checks the same: the warning is logged on stderr, and the ready line counts one runbook.
        try (BotProcess bot = BotProcess.start(dir, "warn.yml")) {
            assertThat(bot.expectErr("buildduty ready", WAIT)).anyMatch(l -> l.contains(
                    "warn.yml:10: inventory.hosts.web02: warning: no host key for 10.0.1.12"))
                    .last().asString().matches("buildduty ready: \\d+ commands, 1 runbook; type help .*");
            assertThat(bot.endInput(WAIT)).isZero();
        }
    }
}
