package org.buildduty.exec.ssh;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import com.jcraft.jsch.AgentIdentityRepository;
import com.jcraft.jsch.AgentProxyException;
import com.jcraft.jsch.Identity;
import com.jcraft.jsch.IdentityRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import com.jcraft.jsch.SSHAgentConnector;
import com.jcraft.jsch.UnixDomainSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys a connection offers: the host's key file (decrypted once with the configured passphrase and kept), then
 * the ssh-agent's keys when the agent is enabled and {@code SSH_AUTH_SOCK} is set. The agent is reached through
 * JSch's {@link UnixDomainSocketFactory} (JDK unix-domain sockets, Java 16+), so it needs no extra library.
 */
final class Identities {
    private static final Logger LOG = LoggerFactory.getLogger(Identities.class);

    private final Supplier<Optional<String>> passphrase;
    private final boolean agent;
    private final Function<String, String> env;
    private final Map<Path, IdentityRepository> files = new ConcurrentHashMap<>();

    Identities(Supplier<Optional<String>> passphrase, boolean agent, Function<String, String> env) {
        this.passphrase = passphrase;
        this.agent = agent;
        this.env = env;
    }

    /** The keys to offer for a host using {@code keyFile} (or none). */
    IdentityRepository forKey(Optional<Path> keyFile) throws SshFailure {
        IdentityRepository file = keyFile.isPresent() ? file(keyFile.get()) : null;
        IdentityRepository fromAgent = agent();
        if (file == null && fromAgent == null) {
            throw new SshFailure("no key to log in with: configure a key file or an ssh-agent (SSH_AUTH_SOCK)");
        }
        return new Both(file, fromAgent);
    }

    private IdentityRepository file(Path path) throws SshFailure {
        IdentityRepository known = files.get(path);
        if (known != null) {
            return known;
        }
        synchronized (this) {
            known = files.get(path);
            if (known == null) {
                known = load(path);
                files.put(path, known);
            }
            return known;
        }
    }

    private IdentityRepository load(Path path) throws SshFailure {
        if (!Files.isReadable(path)) {
            throw new SshFailure("cannot read key file " + path);
        }
        JSch holder = new JSch();
        byte[] secret = null;
        try {
            KeyPair pair = KeyPair.load(holder, path.toString());
            try {
                if (pair.isEncrypted()) {
                    Optional<String> phrase = passphrase.get();
                    if (phrase == null || phrase.isEmpty()) {
                        throw new SshFailure("key file " + path + " is encrypted and no passphrase is configured");
                    }
                    secret = phrase.get().getBytes(StandardCharsets.UTF_8);
                    if (!pair.decrypt(secret)) {
                        throw new SshFailure("cannot decrypt key file " + path + ": wrong passphrase");
                    }
                }
            } finally {
                pair.dispose();
            }
            holder.addIdentity(path.toString(), secret);
            return holder.getIdentityRepository();
        } catch (JSchException e) {
            throw new SshFailure("cannot load key file " + path + ": " + e.getMessage());
        } finally {
            if (secret != null) {
                Arrays.fill(secret, (byte) 0);
            }
        }
    }

    private IdentityRepository agent() {
        if (!agent) {
            return null;
        }
        String socket = env.apply("SSH_AUTH_SOCK");
        if (socket == null || socket.isBlank()) {
            return null;
        }
        try {
            return new AgentIdentityRepository(new SSHAgentConnector(new UnixDomainSocketFactory(),
                    Path.of(socket)));
        } catch (AgentProxyException | RuntimeException e) {
            LOG.warn("cannot use the ssh-agent at {}: {}", socket, e.toString());
            return null;
        }
    }

    /** The file's keys first, then the agent's; read-only. */
    private static final class Both implements IdentityRepository {
        private final IdentityRepository file;
        private final IdentityRepository agent;

        Both(IdentityRepository file, IdentityRepository agent) {
            this.file = file;
            this.agent = agent;
        }

        @Override
        public String getName() {
            return "buildduty";
        }

        @Override
        public int getStatus() {
            return RUNNING;
        }

        @Override
        public Vector<Identity> getIdentities() {
            Vector<Identity> all = new Vector<>();
            if (file != null) {
                all.addAll(file.getIdentities());
            }
            if (agent != null) {
                try {
                    all.addAll(agent.getIdentities());
                } catch (RuntimeException e) {
                    LOG.warn("cannot list the ssh-agent's keys: {}", e.toString());
                }
            }
            return all;
        }

        @Override
        public boolean add(byte[] identity) {
            return false;
        }

        @Override
        public boolean remove(byte[] blob) {
            return false;
        }

        @Override
        public void removeAll() {
            // Read-only.
        }
    }
}
