package org.buildduty.exec.ssh;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;

/**
 * The configured known_hosts file, parsed by JSch (plain, {@code [host]:port}, hashed and {@code @revoked} entries)
 * and re-read when its size or modification time changes. It is never written. Each connection gets its own
 * {@link Check}, which remembers the key the server offered so a refusal can name its fingerprint.
 */
final class KnownHostsFile {
    private final Path path;
    private HostKeyRepository repository;
    private FileTime loadedTime;
    private long loadedSize = -1;

    KnownHostsFile(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    Path path() {
        return path;
    }

    /** A fresh checker over the current content of the file. */
    synchronized Check check() throws SshFailure {
        HostKeyRepository now = current();
        return new Check(now, path, loadedSize == -2);
    }

    private synchronized HostKeyRepository current() throws SshFailure {
        FileTime time = null;
        long size = -2;
        byte[] content = new byte[0];
        try {
            time = Files.getLastModifiedTime(path);
            size = Files.size(path);
            if (repository != null && time.equals(loadedTime) && size == loadedSize) {
                return repository;
            }
            content = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            // No file: every host is unknown.
            if (repository != null && loadedSize == -2) {
                return repository;
            }
        } catch (IOException e) {
            throw new SshFailure("cannot read known_hosts file " + path + ": " + e.getMessage());
        }
        JSch parser = new JSch();
        try {
            parser.setKnownHosts(new ByteArrayInputStream(content));
        } catch (JSchException e) {
            throw new SshFailure("cannot parse known_hosts file " + path + ": " + e.getMessage());
        }
        repository = parser.getHostKeyRepository();
        loadedTime = time;
        loadedSize = size;
        return repository;
    }

    /** {@code SHA256:...} of a public key blob, as OpenSSH prints it. */
    static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }

    /** The key type a public key blob starts with ({@code ssh-ed25519}), or {@code key}. */
    static String keyType(byte[] blob) {
        if (blob.length < 4) {
            return "key";
        }
        int len = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        if (len <= 0 || len > 64 || 4 + len > blob.length) {
            return "key";
        }
        return new String(blob, 4, len, StandardCharsets.US_ASCII);
    }

    /**
     * A read-only view JSch checks one connection's host key against; remembers what the server offered and the
     * verdict. Adding or removing keys does nothing (StrictHostKeyChecking is always {@code yes}).
     */
    static final class Check implements HostKeyRepository {
        private final HostKeyRepository delegate;
        private final Path file;
        private final boolean missing;
        private volatile String checkedHost;
        private volatile byte[] offered;
        private volatile int verdict = -1;

        Check(HostKeyRepository delegate) {
            this(delegate, null, false);
        }

        /** A checker over {@code delegate}, read from {@code file}; {@code missing} when that file does not exist. */
        Check(HostKeyRepository delegate, Path file, boolean missing) {
            this.delegate = delegate;
            this.file = file;
            this.missing = missing && file != null;
        }

        @Override
        public int check(String host, byte[] key) {
            int result;
            synchronized (delegate) {
                result = delegate.check(host, key);
            }
            checkedHost = host;
            offered = key == null ? null : key.clone();
            verdict = result;
            return result;
        }

        /** Whether a key was checked and found unknown or changed. */
        boolean refused() {
            return verdict == NOT_INCLUDED || verdict == CHANGED;
        }

        /**
         * The one-line reason for a refused or revoked key of inventory host {@code name}, e.g. {@code host key of
         * bm01 ([10.0.0.5]:2222) has changed: the server offered ssh-ed25519 SHA256:...}.
         */
        String reason(String name, boolean revoked) {
            byte[] key = offered;
            String what = key == null ? "a key" : keyType(key) + " " + fingerprint(key);
            String where = "host key of " + name + " (" + checkedHost + ")";
            if (revoked) {
                return where + " is revoked in known_hosts: the server offered " + what + "; refusing to connect";
            }
            if (missing) {
                return where + " cannot be checked: no known_hosts file " + file + "; if the server's " + what
                        + " is right: " + SshFiles.keyscan(checkedHost, file);
            }
            if (verdict == CHANGED) {
                return where + " has changed: the server offered " + what
                        + ", which is not the key in known_hosts; refusing to connect";
            }
            return where + " is unknown: the server offered " + what
                    + ", which is not in known_hosts; refusing to connect";
        }

        @Override
        public void add(HostKey hostkey, UserInfo ui) {
            // Never written: an unknown key is refused, not learned.
        }

        @Override
        public void remove(String host, String type) {
            // Read-only.
        }

        @Override
        public void remove(String host, String type, byte[] key) {
            // Read-only.
        }

        @Override
        public String getKnownHostsRepositoryID() {
            return "known_hosts";
        }

        @Override
        public HostKey[] getHostKey() {
            synchronized (delegate) {
                return delegate.getHostKey();
            }
        }

        @Override
        public HostKey[] getHostKey(String host, String type) {
            synchronized (delegate) {
                return delegate.getHostKey(host, type);
            }
        }
    }
}
