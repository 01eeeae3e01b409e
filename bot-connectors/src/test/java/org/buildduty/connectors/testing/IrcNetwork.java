package org.buildduty.connectors.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A real IRC network for tests: Debian's InspIRCd 3 with Debian's Atheme 7.2 services linked to it, both on
 * 127.0.0.1 at free ports, every file in one directory. It gives NickServ accounts, SASL PLAIN and the IRCv3 caps
 * {@code account-tag}, {@code extended-join} and {@code account-notify}, as on Libera.Chat.
 *
 * <p>Three client ports: {@link #port()} with flood limits off (for test clients), {@link #floodPort()} with
 * Libera-like limits (a burst of 5 lines, then 2 lines/s, excess lines delayed; more than 8 KiB waiting kills the
 * client with "RecvQ exceeded"), and {@link #tlsPort()}, like {@link #port()} but TLS only, with a server
 * certificate for {@code 127.0.0.1} and {@code localhost} signed by a test CA made at start ({@link #caFile()}, with
 * {@code openssl}). {@link #restartIrcd()} stops and starts InspIRCd on the same ports and waits until
 * the services link again. {@link #close()} stops both processes by their PIDs. If either program is missing,
 * {@link #start} fails with a clear message: tests that need the network must not skip silently.
 *
 * <p>{@link #start(Path, Without...)} leaves parts out: {@link Without#ACCOUNT_TAG} is InspIRCd without its
 * {@code ircv3_accounttag} module (account-notify and extended-join, but no {@code account-tag}: charybdis-style
 * networks), {@link Without#SERVICES} starts no Atheme (no NickServ, no SASL).
 *
 * <pre>{@code
 * try (IrcNetwork net = IrcNetwork.start(tempDir)) {
 *     net.register("alice", "alicepw123");
 *     try (RawIrcClient c = RawIrcClient.connect(net.port(), "alice", "alice", "alicepw123", "account-tag")) {
 *         c.join("#t");
 *     }
 * }
 * }</pre>
 */
public final class IrcNetwork implements AutoCloseable {
    /** A part of the network {@link #start(Path, Without...)} leaves out. */
    public enum Without {
        /** InspIRCd's {@code ircv3_accounttag} module: the server offers no {@code account-tag} cap. */
        ACCOUNT_TAG,
        /** The services: no Atheme is started, so the server offers no {@code sasl} cap and there is no NickServ. */
        SERVICES
    }

    public static final Path INSPIRCD = Path.of("/usr/sbin/inspircd");
    public static final Path ATHEME = Path.of("/usr/bin/atheme-services");
    public static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private static final Duration READY = Duration.ofSeconds(20);
    private static final String SYNCED = "finished synching with uplink";

    private final Path dir;
    private final int port;
    private final int floodPort;
    private final int tlsPort;
    private final int linkPort;
    private final Set<Without> without;
    private Process ircd;
    private Process services;
    private int ircdStarts;

    private IrcNetwork(Path dir, int port, int floodPort, int tlsPort, int linkPort, Set<Without> without) {
        this.dir = dir;
        this.without = without;
        this.port = port;
        this.floodPort = floodPort;
        this.tlsPort = tlsPort;
        this.linkPort = linkPort;
    }

    /**
     * Writes the configuration into {@code dir}, starts InspIRCd and Atheme (unless {@link Without#SERVICES}), and
     * waits until they are linked.
     */
    public static IrcNetwork start(Path dir, Without... leftOut) throws IOException {
        Set<Without> without = leftOut.length == 0 ? EnumSet.noneOf(Without.class) : EnumSet.copyOf(List.of(leftOut));
        for (Path p : List.of(INSPIRCD, ATHEME, OPENSSL)) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(p + " is not installed: apt-get install inspircd atheme-services "
                        + "openssl (scripts/test installs them) to run the IRC tests");
            }
        }
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("logs"));
        int[] ports = freePorts(4);
        IrcNetwork net = new IrcNetwork(dir, ports[0], ports[1], ports[2], ports[3], without);
        try {
            TestCertificates.make(dir.resolve("tls"));
            net.writeConfig();
            net.startIrcd();
            if (!without.contains(Without.SERVICES)) {
                net.startServices();
                net.awaitLinked(1);
            }
            return net;
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /** The client port without flood limits. */
    public int port() {
        return port;
    }

    /** The client port with Libera-like flood limits. */
    public int floodPort() {
        return floodPort;
    }

    /** The TLS client port (flood limits off); its certificate is signed by the CA in {@link #caFile()}. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The PEM file of the test CA that signed the certificate of {@link #tlsPort()}. */
    public Path caFile() {
        return dir.resolve("tls").resolve(TestCertificates.CA);
    }

    public Path dir() {
        return dir;
    }

    /**
     * Registers NickServ accounts over one client connection: for each pair (account, password) it takes the nick,
     * sends REGISTER, waits for the confirmation and logs out. Passwords need 5 characters and must differ from the
     * account name.
     */
    public void register(String... accountsAndPasswords) throws IOException {
        if (accountsAndPasswords.length == 0 || accountsAndPasswords.length % 2 != 0) {
            throw new IllegalArgumentException("pairs of account and password");
        }
        String first = "reg" + Long.toString(System.nanoTime() % 100_000, 36);
        try (RawIrcClient c = RawIrcClient.connect(port, first)) {
            for (int i = 0; i < accountsAndPasswords.length; i += 2) {
                String account = accountsAndPasswords[i];
                String password = accountsAndPasswords[i + 1];
                c.changeNick(account);
                c.privmsg("NickServ", "REGISTER " + password + " " + account + "@example.com");
                String answer = c.await(l -> l.contains("NickServ!") && l.contains(" NOTICE "), RawIrcClient.WAIT);
                if (!answer.contains("is now registered")) {
                    throw new IllegalStateException("REGISTER " + account + " failed: " + answer);
                }
                c.privmsg("NickServ", "LOGOUT");
                c.await(l -> l.contains("NickServ!") && l.contains(" NOTICE "), RawIrcClient.WAIT);
            }
        }
    }

    /** Identifies an already connected client to its account with {@code NickServ IDENTIFY} and waits for 900. */
    public static void identify(RawIrcClient c, String account, String password) {
        c.privmsg("NickServ", "IDENTIFY " + account + " " + password);
        String answer = c.await(l -> RawIrcClient.hasNumeric(l, "900")
                || (l.contains("NickServ!") && l.contains("nvalid")), RawIrcClient.WAIT);
        if (!RawIrcClient.hasNumeric(answer, "900")) {
            throw new IllegalStateException("IDENTIFY " + account + " failed: " + answer);
        }
    }

    /** Stops InspIRCd (SIGTERM, every client is disconnected) and leaves it stopped. */
    public void stopIrcd() throws IOException {
        stop(ircd);
        ircd = null;
    }

    /** True unless {@link #stopIrcd()} stopped InspIRCd (and it was not started again). */
    public boolean ircdRunning() {
        return ircd != null;
    }

    /** Starts InspIRCd again after {@link #stopIrcd()} and waits until the services have linked again. */
    public void startIrcdAgain() throws IOException {
        int links = count(SYNCED);
        startIrcd();
        if (services != null) {
            awaitLinked(links + 1);
        }
    }

    /** Stops and starts InspIRCd on the same ports; returns once the services are linked again. */
    public void restartIrcd() throws IOException {
        stopIrcd();
        startIrcdAgain();
    }

    private void writeConfig() throws IOException {
        Files.writeString(dir.resolve("motd.txt"), "buildduty test network\n");
        String ircd = template("inspircd.conf.in");
        if (without.contains(Without.ACCOUNT_TAG)) {
            ircd = ircd.replace("<module name=\"ircv3_accounttag\">", "");
        }
        Files.writeString(dir.resolve("inspircd.conf"), ircd
                .replace("@DIR@", dir.toAbsolutePath().toString())
                .replace("@IRC_PORT@", Integer.toString(port))
                .replace("@FLOOD_PORT@", Integer.toString(floodPort))
                .replace("@TLS_PORT@", Integer.toString(tlsPort))
                .replace("@LINK_PORT@", Integer.toString(linkPort)));
        Files.writeString(dir.resolve("atheme.conf"), template("atheme.conf.in")
                .replace("@LINK_PORT@", Integer.toString(linkPort)));
    }

    private static String template(String name) throws IOException {
        try (InputStream in = IrcNetwork.class.getResourceAsStream("/irc/" + name)) {
            Objects.requireNonNull(in, "test resource /irc/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void startIrcd() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(INSPIRCD.toString(), "--nofork",
                "--config=" + dir.resolve("inspircd.conf").toAbsolutePath()));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.add("--runasroot");
        }
        ircdStarts++;
        Path out = dir.resolve("logs/inspircd-" + ircdStarts + ".out");
        ircd = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        long end = System.nanoTime() + READY.toNanos();
        while (!accepts(port) || !accepts(floodPort) || !accepts(tlsPort)) {
            if (!ircd.isAlive() || System.nanoTime() > end) {
                throw new IllegalStateException("inspircd did not start (exit " + (ircd.isAlive() ? "-" : ircd
                        .exitValue()) + "): " + tail(out));
            }
            pause(10);
        }
    }

    private void startServices() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ATHEME.toString(), "-n",
                "-c", dir.resolve("atheme.conf").toAbsolutePath().toString(),
                "-D", dir.resolve("data").toAbsolutePath().toString(),
                "-l", dir.resolve("logs/atheme.log").toAbsolutePath().toString(),
                "-p", dir.resolve("atheme.pid").toAbsolutePath().toString())
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs/atheme.out").toFile());
        pb.environment().put("HOME", dir.toAbsolutePath().toString());
        services = pb.start();
    }

    /** Waits until the services log has said {@code n} times that they finished synching with the ircd. */
    private void awaitLinked(int n) throws IOException {
        long end = System.nanoTime() + READY.toNanos();
        while (count(SYNCED) < n) {
            if (!services.isAlive() || System.nanoTime() > end) {
                throw new IllegalStateException("atheme did not link to inspircd: "
                        + tail(dir.resolve("logs/atheme.out")));
            }
            pause(10);
        }
    }

    private int count(String needle) throws IOException {
        Path log = dir.resolve("logs/atheme.out");
        if (!Files.exists(log)) {
            return 0;
        }
        String text = Files.readString(log, StandardCharsets.ISO_8859_1);
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no output)";
        }
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private static void stop(Process p) {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@link #register} these accounts, then this network; on failure the network is closed. */
    public IrcNetwork with(String... accountsAndPasswords) throws IOException {
        try {
            register(accountsAndPasswords);
            return this;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Stops the services (they save their database on SIGTERM), then the ircd. */
    @Override
    public void close() {
        stop(services);
        stop(ircd);
    }
}
