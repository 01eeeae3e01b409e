package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.exec.testing.Sshd;

/** {@code --check} through {@link Main#run}, in-process: warnings on stderr keep exit status 0, errors make it 2. */
class MainCheckTest {
    @TempDir
    Path dir;

    /** Exit status, stdout and stderr lines of one run. */
    private record Run(int status, List<String> out, List<String> err) {
    }

    private Run check() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--config", dir.resolve("buildduty.yml").toString(), "--check"},
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        return new Run(status, out.toString(StandardCharsets.UTF_8).lines().toList(),
                err.toString(StandardCharsets.UTF_8).lines().toList());
    }

    private void config(String keyFile) throws IOException {
        Sshd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", dir.resolve("id").toString());
        Files.writeString(dir.resolve("known_hosts"), "");
        BotFiles.localRunbook(dir, "hello", "says hello", "echo hello");
        // absolute paths: the test runs in bot-app's folder
        Files.writeString(dir.resolve("buildduty.yml"), String.join("\n",
                "bot: { journal: " + dir.resolve("data/bot.db") + ", runbooks: " + dir.resolve("runbooks")
                        + ", web: \"off\" }",
                "connectors:",
                "  - { id: console, type: console }",
                "inventory:",
                "  ssh: { known_hosts: " + dir.resolve("known_hosts") + ", key_file: " + dir.resolve(keyFile) + " }",
                "  hosts:",
                "    web1: { address: web1.example.org }",
                ""));
    }

    @Test
    void warningsArePrintedOnStderrAndTheCheckStillPassesCountingOneRunbook() throws IOException {
        config("id");
        Run r = check();

        assertThat(r.status()).as(String.join("\n", r.err())).isZero();
        assertThat(r.err()).containsExactly(dir.resolve("buildduty.yml") + ":7: inventory.hosts.web1: warning: no"
                + " host key for web1.example.org in " + dir.resolve("known_hosts") + "; once you have checked its"
                + " fingerprint, add it: ssh-keyscan -p 22 web1.example.org >> " + dir.resolve("known_hosts"));
        assertThat(r.out()).singleElement().asString().matches(".*: ok \\(\\d+ commands, 1 runbook, 1 warning\\)");
    }

    @Test
    void errorsFailTheCheckAndTheWarningsFoundBesideThemAreShownToo() throws IOException {
        config("id.pub");
        Run r = check();

        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).hasSize(2);
        assertThat(r.err().get(0)).isEqualTo(dir.resolve("buildduty.yml") + ":5: inventory.ssh.key_file: "
                + dir.resolve("id.pub") + " is a public key: key_file is the private key, " + dir.resolve("id"));
        assertThat(r.err().get(1)).contains(": warning: no host key for web1.example.org");
    }
}
