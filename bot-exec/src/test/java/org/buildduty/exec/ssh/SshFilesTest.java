package org.buildduty.exec.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.exec.testing.Sshd;

/** What {@code --check} finds in the key and known_hosts files without connecting, parsed as JSch parses them. */
class SshFilesTest {
    @TempDir
    Path dir;

    private Path keygen(String name, String passphrase) throws IOException {
        Path key = dir.resolve(name);
        Sshd.run("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "test", "-f", key.toString());
        return key;
    }

    @Test
    void aPlainPrivateKeyIsFine() throws IOException {
        assertThat(SshFiles.keyProblem(keygen("id", ""), Optional.empty())).isEmpty();
    }

    @Test
    void aMissingKeyFileIsNamed() {
        Path key = dir.resolve("nope");
        assertThat(SshFiles.keyProblem(key, Optional.empty())).contains(key + " does not exist");
    }

    @Test
    void aPublicKeyGivenAsTheKeyNamesThePrivateOne() throws IOException {
        Path key = keygen("id", "");
        Path pub = dir.resolve("id.pub");
        assertThat(SshFiles.keyProblem(pub, Optional.empty()))
                .contains(pub + " is a public key: key_file is the private key, " + key);
    }

    @Test
    void anEncryptedKeyNeedsItsPassphrase() throws IOException {
        Path key = keygen("enc", "s3cr3t-phrase");
        assertThat(SshFiles.keyProblem(key, Optional.empty())).contains(key + " is encrypted and no passphrase is "
                + "configured: set passphrase_env or passphrase_file in inventory.ssh");
        assertThat(SshFiles.keyProblem(key, Optional.of("wrong")))
                .contains(key + " is encrypted and the configured passphrase does not decrypt it");
        assertThat(SshFiles.keyProblem(key, Optional.of("s3cr3t-phrase"))).isEmpty();
    }

    @Test
    void aFileThatIsNoKeyIsRefused() throws IOException {
        Path key = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        assertThat(SshFiles.keyProblem(key, Optional.empty())).get().asString()
                .startsWith(key + " is not a private key JSch can read");
    }

    @Test
    void knownHostsLooksUpPlainPortAndHashedEntries() throws IOException {
        String blob = Files.readString(keygen("host", "").resolveSibling("host.pub")).split(" ")[1];
        Path plain = Files.writeString(dir.resolve("known_hosts"), "web1.example.org ssh-ed25519 " + blob + "\n"
                + "[web2.example.org]:2222 ssh-ed25519 " + blob + "\n");
        Path hashed = Files.copy(plain, dir.resolve("known_hosts_hashed"));
        Sshd.run("ssh-keygen", "-q", "-H", "-f", hashed.toString());
        assertThat(Files.readString(hashed)).doesNotContain("web1");

        for (Path file : new Path[] {plain, hashed}) {
            SshFiles.KnownHosts known = SshFiles.KnownHosts.read(file);
            assertThat(known.has("web1.example.org", 22)).as(file.toString()).isTrue();
            assertThat(known.has("web2.example.org", 2222)).as(file.toString()).isTrue();
            assertThat(known.has("web2.example.org", 22)).as(file.toString()).isFalse();
            // as a connection would: JSch accepts a host's port-22 entry on any port
            assertThat(known.has("web1.example.org", 2222)).as(file.toString()).isTrue();
            assertThat(known.has("web3.example.org", 22)).as(file.toString()).isFalse();
        }
    }

    @Test
    void keyscanLineQuotesOnlyWhatNeedsIt() {
        assertThat(SshFiles.keyscan("web1.example.org", 2222, Path.of("/etc/bd/known_hosts")))
                .isEqualTo("ssh-keyscan -p 2222 web1.example.org >> /etc/bd/known_hosts");
        assertThat(SshFiles.keyscan("[10.0.0.5]:2200", Path.of("/my files/kh")))
                .isEqualTo("ssh-keyscan -p 2200 10.0.0.5 >> '/my files/kh'");
    }
}
