package org.buildduty.app.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.buildduty.connectors.testing.TestCertificates;

/**
 * A real PostgreSQL server (Debian's {@code postgresql} package, {@value #BIN}) for tests: a fresh cluster in a
 * temporary folder, listening only on 127.0.0.1 at a free port with its unix socket in that folder, trust
 * authentication for the {@code postgres} user. {@code initdb} refuses to run as root, so as root the cluster belongs
 * to the {@code postgres} user and every command runs through {@code runuser -u postgres --}. {@link #close()} stops
 * the server (fast shutdown) and deletes the folder.
 */
public final class PgServer implements AutoCloseable {
    static final String BIN = "/usr/lib/postgresql/15/bin";

    private final Path dir;
    private final Path data;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();
    private boolean stopped;

    private PgServer(Path dir, Path data, int port) {
        this.dir = dir;
        this.data = data;
        this.port = port;
    }

    /** Whether the PostgreSQL binaries are installed here. */
    public static boolean available() {
        return Files.isExecutable(Path.of(BIN, "initdb")) && Files.isExecutable(Path.of(BIN, "pg_ctl"));
    }

    /** Creates a cluster under a new folder in /tmp and starts it; returns once it accepts connections. */
    public static PgServer start() throws IOException, InterruptedException {
        return start(false);
    }

    /**
     * The same, also taking TLS ({@code ssl=on}) with a server certificate for 127.0.0.1 signed by a test CA
     * ({@link #tlsCa()}); plain connections are still accepted.
     */
    public static PgServer startWithTls() throws IOException, InterruptedException {
        return start(true);
    }

    private static PgServer start(boolean tls) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "buildduty-pg-");
        String ssl = "";
        if (tls) {
            TestCertificates.make(dir.resolve("tls"));
            ssl = " -c ssl=on -c ssl_cert_file=" + dir.resolve("tls").resolve(TestCertificates.SERVER_CERT)
                    + " -c ssl_key_file=" + dir.resolve("tls").resolve(TestCertificates.SERVER_KEY);
            Files.setPosixFilePermissions(dir.resolve("tls").resolve(TestCertificates.SERVER_KEY),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        Path data = dir.resolve("data");
        if (isRoot()) {
            run(dir, List.of("chown", "-R", "postgres:postgres", dir.toString()));
        }
        run(dir, asOwner(List.of(BIN + "/initdb", "-D", data.toString(), "-U", "postgres", "-A", "trust", "-E",
                "UTF8", "--no-locale", "--no-sync")));
        int port = freePort();
        PgServer server = new PgServer(dir, data, port);
        try {
            run(dir, asOwner(List.of(BIN + "/pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                    "-w", "-t", "60", "-o", "-c listen_addresses=127.0.0.1 -c port=" + port
                            + " -c unix_socket_directories=" + dir + " -c fsync=off -c full_page_writes=off"
                            + " -c max_connections=100" + ssl, "start")));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The CA that signed the server's certificate ({@link #startWithTls()}). */
    public Path tlsCa() {
        return dir.resolve("tls").resolve(TestCertificates.CA);
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** A JDBC URL of database {@code db} as the {@code postgres} user. */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db + "?user=postgres";
    }

    /** Creates a new, empty database with a fresh name and returns that name. */
    public String createDatabase() throws SQLException {
        String name = "t" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres")); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    /** Runs {@code sql} in database {@code db} as the superuser. */
    public void execute(String db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(db)); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The server's log so far (for a failing test's message). */
    public String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            try {
                if (Files.exists(data.resolve("postmaster.pid"))) {
                    run(dir, asOwner(List.of(BIN + "/pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop")));
                }
            } finally {
                run(dir, List.of("rm", "-rf", dir.toString()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL in " + dir, e);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asOwner(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        out.addAll(command);
        return out;
    }

    private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path log = dir.resolve("command.log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IOException(command + " exited " + p.exitValue() + ": " + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
