package org.buildduty.exec.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.buildduty.exec.ssh.SshExecutor;
import org.buildduty.exec.ssh.SshHosts;
import org.buildduty.exec.ssh.SshOptions;
import org.buildduty.exec.ssh.SshTarget;

/**
 * A real OpenSSH {@code sshd} for tests: {@code /usr/sbin/sshd -D -e} on 127.0.0.1 at a free port, with its own host
 * key, a client key in {@link #authorizedKeys()}, and a {@code known_hosts} line for it, all in one directory.
 *
 * <p>Key authentication only (no password, no keyboard-interactive, no PAM); it logs in as the user running the
 * tests ({@link #user()}, root in CI: then {@code /run/sshd} is created if missing), or as {@link #NORMAL_USER}
 * once {@link #allowNormalUser} made it. {@code MaxStartups} and {@code MaxSessions} are raised to 200 (an extra
 * {@code MaxSessions} line overrides the latter) so many aliases of this one server can connect at once; the login
 * user's {@code ~/.bashrc} is skipped ({@link #SKIP_SHELL_STARTUP}). Its log ({@code -e}) is in {@link #log()}.
 * {@link #kill()} SIGKILLs the listener and every process it forked (per-connection sshd processes and the commands
 * they run), by PID; {@link #close()} does the same and is idempotent. If sshd is not installed,
 * {@link #start} fails with a clear message: tests that need it must not skip silently.
 *
 * <pre>{@code
 * try (Sshd sshd = Sshd.start(tempDir)) {
 *     Files.writeString(knownHosts, sshd.knownHostsLine() + "\n");
 *     // connect to 127.0.0.1:sshd.port() as sshd.user() with key sshd.clientKey()
 * }
 * }</pre>
 */
public final class Sshd implements AutoCloseable {
    /**
     * Default {@code sshd_config} line: bash sources the login user's {@code ~/.bashrc} for commands sshd runs unless
     * {@code SHLVL} says it is nested. The machine's shell start-up (here root's runs {@code pyenv init}, which races
     * with itself under 50 concurrent logins and writes to stderr) is not what the tests exercise. Pass
     * {@code "SetEnv SHLVL=0"} as an extra line to run it after all.
     */
    public static final String SKIP_SHELL_STARTUP = "SetEnv SHLVL=1";

    /** Where Debian's openssh-server installs the daemon. */
    public static final Path SSHD = Path.of("/usr/sbin/sshd");

    /** The login {@link #allowNormalUser} creates: not root, shell /bin/sh. */
    public static final String NORMAL_USER = "bdsshtest";

    private static final Duration READY = Duration.ofSeconds(10);

    private final Path dir;
    private final List<String> extraConfig;
    private final String logLevel;
    private final int port;
    private final Path log;
    private Process process;
    private int starts;

    private Sshd(Path dir, int port, String logLevel, List<String> extraConfig) {
        this.dir = dir;
        this.port = port;
        this.logLevel = logLevel;
        this.extraConfig = List.copyOf(extraConfig);
        this.log = dir.resolve("sshd.log");
    }

    /** Starts an sshd with log level VERBOSE and no TCP forwarding, its files in {@code dir} (created if missing). */
    public static Sshd start(Path dir) throws IOException {
        return start(dir, "VERBOSE");
    }

    /**
     * Starts an sshd with this {@code LogLevel} ({@code DEBUG1} also logs channel opens such as {@code direct-tcpip})
     * and these extra {@code sshd_config} lines (e.g. {@code AllowTcpForwarding yes} for a jump host).
     */
    public static Sshd start(Path dir, String logLevel, String... extraConfig) throws IOException {
        if (!Files.isExecutable(SSHD)) {
            throw new IllegalStateException(SSHD + " is not installed: install openssh-server (apt-get install "
                    + "openssh-server) to run the SSH tests");
        }
        Files.createDirectories(dir);
        keygenIfMissing(dir.resolve("host_ed25519"), "testhost");
        keygenIfMissing(dir.resolve("client_ed25519"), "testclient");
        Files.copy(dir.resolve("client_ed25519.pub"), dir.resolve("authorized_keys"),
                StandardCopyOption.REPLACE_EXISTING);
        if ("root".equals(System.getProperty("user.name"))) {
            Path privsep = Path.of("/run/sshd");
            if (!Files.isDirectory(privsep)) {
                try {
                    Files.createDirectories(privsep);
                } catch (IOException e) {
                    throw new IllegalStateException("sshd as root needs " + privsep + ": " + e.getMessage(), e);
                }
            }
        }
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Sshd sshd = new Sshd(dir, freePort(), logLevel, List.of(extraConfig));
            try {
                sshd.launch();
                return sshd;
            } catch (IOException e) {
                sshd.close();
                last = e;
            }
        }
        throw last;
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The private key the server accepts (unencrypted ed25519). */
    public Path clientKey() {
        return dir.resolve("client_ed25519");
    }

    /** The authorized_keys file: append more public keys to accept them too. */
    public Path authorizedKeys() {
        return dir.resolve("authorized_keys");
    }

    /** The current host public key file. */
    public Path hostPublicKey() {
        return dir.resolve("host_ed25519.pub");
    }

    /** {@code [127.0.0.1]:PORT ssh-ed25519 AAAA... testhost}: its current host key for a known_hosts file. */
    public String knownHostsLine() throws IOException {
        return "[127.0.0.1]:" + port + " " + Files.readString(hostPublicKey()).strip();
    }

    /** Its host key fingerprint as OpenSSH prints it: {@code SHA256:...}. */
    public String hostKeyFingerprint() throws IOException {
        return fingerprint(hostPublicKey());
    }

    /** The login user: whoever runs the tests. */
    public String user() {
        return System.getProperty("user.name");
    }

    /**
     * Lets {@link #NORMAL_USER}, a login that is not root, log in here with {@link #clientKey()}: creates the account
     * if it is missing ({@code useradd}: home in /home, shell /bin/sh, no password but not locked, which only root
     * may do) and makes this server's folder and authorized_keys readable by it, as sshd reads them as the user.
     * Tests call it only when they run as root (an assumption), and keep the account: other runs reuse it.
     */
    public String allowNormalUser() throws IOException {
        try {
            run("id", "-u", NORMAL_USER);
        } catch (IOException missing) {
            try {
                run("useradd", "-m", "-s", "/bin/sh", "-p", "*", NORMAL_USER);
            } catch (IOException e) {
                if (!e.getMessage().contains("exited 9")) {
                    throw e;
                }
            }
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(authorizedKeys(), PosixFilePermissions.fromString("rw-r--r--"));
        return NORMAL_USER;
    }

    /** Inventory host {@code name} on this sshd, logging in as {@code user}. */
    public SshTarget target(String name, String user) {
        return SshTarget.of(name, "127.0.0.1", port, user);
    }

    /** Inventory host {@code name} on this sshd, logging in as {@link #user()}. */
    public SshTarget target(String name) {
        return SshTarget.of(name, "127.0.0.1", port, user());
    }

    /** Test client options: this known_hosts file and key, no agent, 5 s connect timeout, 1 s keepalive. */
    public static SshOptions testOptions(Path knownHosts, Path key) {
        return SshOptions.defaults(knownHosts).withDefaultKeyFile(key).withAgent(false)
                .withConnectTimeout(Duration.ofSeconds(5)).withKeepAlive(Duration.ofSeconds(1));
    }

    /**
     * An executor whose inventory is {@code host} on this sshd, trusting its host key (a known_hosts file written
     * into {@code dir}) and logging in with its client key, with {@link #testOptions}; the caller closes it.
     */
    public SshExecutor executor(Path dir, String host) throws IOException {
        Path knownHosts = Files.write(dir.resolve("known_hosts"), List.of(knownHostsLine()));
        return new SshExecutor(SshHosts.of(Map.of(host, target(host))), testOptions(knownHosts, clientKey()));
    }

    /** The directory holding its keys, config and log. */
    public Path dir() {
        return dir;
    }

    /** The listener's process id. */
    public synchronized long pid() {
        return process.pid();
    }

    /** Everything sshd logged so far (from all its starts). */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** How many logins sshd accepted so far ({@code Accepted publickey} lines). */
    public int acceptedLogins() {
        return (int) log().lines().filter(l -> l.contains("Accepted publickey for ")).count();
    }

    /** Stops it and starts it again on the same port with the same keys (existing connections are dropped). */
    public synchronized void restart() throws IOException {
        kill();
        launch();
    }

    /** Stops it, makes a new host key and starts it again on the same port: clients must see a changed key. */
    public synchronized void regenerateHostKey() throws IOException {
        kill();
        Files.deleteIfExists(dir.resolve("host_ed25519"));
        Files.deleteIfExists(hostPublicKey());
        keygenIfMissing(dir.resolve("host_ed25519"), "testhost-new");
        launch();
    }

    /**
     * SIGSTOPs the listener and its children, so their connections stay open but nothing answers: a silently dead
     * peer. {@link #kill()} or {@link #close()} ends them.
     */
    public synchronized void freeze() {
        stopTree();
    }

    /** SIGKILLs the listener and every process it forked (by PID, never a process group), and waits for the end. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = stopTree();
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            p.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        process = null;
    }

    @Override
    public void close() {
        kill();
    }

    /**
     * SIGSTOPs the listener, then its descendants until no new one appears (a stopped process forks nothing), and
     * returns them all, the listener first.
     */
    private List<ProcessHandle> stopTree() {
        List<ProcessHandle> all = new ArrayList<>();
        if (process == null) {
            return all;
        }
        ProcessHandle root = process.toHandle();
        all.add(root);
        signal("STOP", all);
        for (int pass = 0; pass < 10; pass++) {
            List<ProcessHandle> now = new ArrayList<>();
            now.add(root);
            root.descendants().forEach(now::add);
            List<ProcessHandle> fresh = new ArrayList<>(now);
            fresh.removeAll(all);
            if (fresh.isEmpty()) {
                break;
            }
            signal("STOP", fresh);
            all = now;
        }
        return all;
    }

    private void launch() throws IOException {
        Path config = dir.resolve("sshd_config");
        List<String> lines = new ArrayList<>(List.of(
                "ListenAddress 127.0.0.1",
                "Port " + port,
                "HostKey " + dir.resolve("host_ed25519"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + authorizedKeys(),
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "X11Forwarding no",
                "PrintMotd no",
                "MaxStartups 200",
                "LogLevel " + logLevel));
        if (extraConfig.stream().noneMatch(l -> l.startsWith("MaxSessions"))) {
            lines.add("MaxSessions 200");
        }
        if (extraConfig.stream().noneMatch(l -> l.startsWith("AllowTcpForwarding"))) {
            lines.add("AllowTcpForwarding no");
        }
        if (extraConfig.stream().noneMatch(l -> l.startsWith("SetEnv SHLVL="))) {
            lines.add(SKIP_SHELL_STARTUP);
        }
        lines.addAll(extraConfig);
        Files.write(config, lines);
        run(SSHD.toString(), "-t", "-f", config.toString());
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        int startNo = ++starts;
        process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        process.getOutputStream().close();
        long deadline = System.nanoTime() + READY.toNanos();
        String ready = "Server listening on 127.0.0.1 port " + port;
        while (true) {
            String since = since(logStart);
            if (since.contains(ready)) {
                return;
            }
            if (!process.isAlive()) {
                process = null;
                throw new IOException("sshd (start " + startNo + ") exited: " + since.strip());
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IOException("sshd did not listen on port " + port + " within " + READY + ": " + since);
            }
            sleep(10);
        }
    }

    private String since(long offset) {
        String all = log();
        return all.length() > offset ? all.substring((int) offset) : "";
    }

    private static void keygenIfMissing(Path key, String comment) throws IOException {
        if (!Files.exists(key)) {
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key.toString());
        }
    }

    /** Makes an ed25519 key pair {@code key} and {@code key.pub} with ssh-keygen, encrypted unless empty. */
    public static void keygen(Path key, String passphrase) throws IOException {
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "test", "-f", key.toString());
    }

    /** The {@code SHA256:...} fingerprint of a public key file, from {@code ssh-keygen -l}. */
    public static String fingerprint(Path publicKey) throws IOException {
        return run("ssh-keygen", "-l", "-E", "sha256", "-f", publicKey.toString()).split(" ")[1];
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Sends a signal to these processes by PID (never to a group, never to 0 or 1). */
    private static void signal(String name, List<ProcessHandle> processes) {
        List<String> command = new ArrayList<>(List.of("kill", "-s", name));
        processes.stream().filter(p -> p.pid() > 1 && p.isAlive()).forEach(p -> command.add(Long.toString(p.pid())));
        if (command.size() == 3) {
            return;
        }
        try {
            run(command.toArray(String[]::new));
        } catch (IOException e) {
            // A process that exited meanwhile makes kill fail; the others were signalled.
            if (!e.getMessage().contains("No such process")) {
                throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
            }
        }
    }

    /** Runs a short local command (e.g. ssh-keygen) and returns its output; fails on a non-zero exit. */
    public static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return Objects.requireNonNull(out);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
