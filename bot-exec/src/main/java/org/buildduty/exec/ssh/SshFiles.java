package org.buildduty.exec.ssh;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;

import org.buildduty.core.param.ShellQuote;

/**
 * Checks the files the {@code ssh} executor will read, without connecting anywhere, so {@code --check} finds what
 * would otherwise fail only when a step runs: a key file that is missing, unreadable, a public key, or encrypted
 * with no (or a wrong) passphrase; a known_hosts file that is missing or has no entry for a host. Both are parsed by
 * JSch exactly as a connection parses them (plain, hashed and {@code [host]:port} known_hosts entries).
 *
 * <pre>{@code
 * SshFiles.keyProblem(Path.of("/home/bd/.ssh/id_ed25519.pub"), Optional.empty())
 *     // Optional[/home/bd/.ssh/id_ed25519.pub is a public key: key_file is the private key, /home/bd/.ssh/id_ed25519]
 * SshFiles.KnownHosts.read(file).has("web1.example.org", 2222)   // looks up [web1.example.org]:2222
 * SshFiles.keyscan("web1.example.org", 2222, file)   // ssh-keyscan -p 2222 web1.example.org >> /etc/bd/known_hosts
 * }</pre>
 */
public final class SshFiles {
    private static final Pattern PUBLIC_KEY = Pattern.compile(
            "(ssh-|ecdsa-sha2-|sk-ssh-|sk-ecdsa-)[A-Za-z0-9@.-]+ +[A-Za-z0-9+/=]{20,}( .*)?\\s*");
    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z0-9_./@:+,~-]+");

    private SshFiles() {
    }

    /**
     * Why {@code key} cannot log in, in one line starting with the path, or empty when it is a private key JSch reads
     * and, if encrypted, {@code passphrase} decrypts.
     */
    public static Optional<String> keyProblem(Path key, Optional<String> passphrase) {
        if (!Files.exists(key)) {
            return Optional.of(key + " does not exist");
        }
        if (Files.isDirectory(key)) {
            return Optional.of(key + " is a folder, not a private key file");
        }
        if (!Files.isReadable(key)) {
            return Optional.of(key + " is not readable by this user");
        }
        String first;
        try {
            byte[] head = Files.readAllBytes(key);
            first = new String(head, 0, Math.min(head.length, 16_384), StandardCharsets.UTF_8).lines().findFirst()
                    .orElse("");
        } catch (IOException e) {
            return Optional.of(key + " cannot be read: " + e.getMessage());
        }
        if (PUBLIC_KEY.matcher(first).matches()) {
            String name = key.getFileName().toString();
            Path privateKey = name.endsWith(".pub") ? key.resolveSibling(name.substring(0, name.length() - 4)) : null;
            return Optional.of(key + " is a public key: key_file is the private key"
                    + (privateKey != null && Files.exists(privateKey) ? ", " + privateKey
                            : " (the file without .pub)"));
        }
        JSch holder = new JSch();
        KeyPair pair;
        try {
            pair = KeyPair.load(holder, key.toString());
        } catch (JSchException e) {
            return Optional.of(key + " is not a private key JSch can read (" + e.getMessage() + ")");
        }
        byte[] secret = null;
        try {
            if (!pair.isEncrypted()) {
                return Optional.empty();
            }
            if (passphrase.isEmpty() || passphrase.get().isEmpty()) {
                return Optional.of(key + " is encrypted and no passphrase is configured: set passphrase_env or "
                        + "passphrase_file in inventory.ssh");
            }
            secret = passphrase.get().getBytes(StandardCharsets.UTF_8);
            if (!pair.decrypt(secret)) {
                return Optional.of(key + " is encrypted and the configured passphrase does not decrypt it");
            }
            return Optional.empty();
        } finally {
            pair.dispose();
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }

    /** The name a known_hosts entry of this endpoint has: {@code host} on port 22, else {@code [host]:port}. */
    public static String hostName(String address, int port) {
        return port == 22 ? address : "[" + address + "]:" + port;
    }

    /** The command that appends the endpoint's host keys to {@code knownHosts}, to run after checking them. */
    public static String keyscan(String address, int port, Path knownHosts) {
        return "ssh-keyscan -p " + port + " " + word(address) + " >> " + word(knownHosts.toString());
    }

    /** The same for a known_hosts name as JSch checks it ({@code host} or {@code [host]:port}). */
    static String keyscan(String hostName, Path knownHosts) {
        if (hostName != null && hostName.startsWith("[") && hostName.contains("]:")) {
            int close = hostName.indexOf("]:");
            try {
                return keyscan(hostName.substring(1, close), Integer.parseInt(hostName.substring(close + 2)),
                        knownHosts);
            } catch (NumberFormatException e) {
                return keyscan(hostName.substring(1, close), 22, knownHosts);
            }
        }
        return keyscan(hostName == null ? "HOST" : hostName, 22, knownHosts);
    }

    private static String word(String s) {
        return PLAIN_WORD.matcher(s).matches() ? s : ShellQuote.quote(s);
    }

    /** A known_hosts file as JSch reads it, for lookups by host and port. */
    public static final class KnownHosts {
        private final HostKeyRepository repository;

        private KnownHosts(HostKeyRepository repository) {
            this.repository = repository;
        }

        /**
         * Reads the file.
         *
         * @throws IOException when it cannot be read, or JSch cannot parse it (the message says why)
         */
        public static KnownHosts read(Path file) throws IOException {
            byte[] content = Files.readAllBytes(file);
            JSch parser = new JSch();
            try {
                parser.setKnownHosts(new ByteArrayInputStream(content));
            } catch (JSchException e) {
                throw new IOException("cannot parse " + file + ": " + e.getMessage(), e);
            }
            return new KnownHosts(parser.getHostKeyRepository());
        }

        /** True when some key (of any type, not revoked) is listed for the endpoint. */
        public boolean has(String address, int port) {
            var keys = repository.getHostKey(hostName(address, port), null);
            return keys != null && keys.length > 0
                    && Arrays.stream(keys).anyMatch(k -> !"@revoked".equals(k.getMarker()));
        }
    }
}
