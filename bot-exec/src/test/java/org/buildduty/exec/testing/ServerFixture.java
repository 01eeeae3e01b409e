package org.buildduty.exec.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test server (a real sshd, IRC network, ...) started in a fresh temporary folder, then closed and its folder
 * deleted: {@link #perClass} once around all the tests of a class (register it in a static field), {@link #perTest}
 * around each test (an instance field; it is up before the class's {@code @BeforeEach} methods run and closed after
 * its {@code @AfterEach} methods).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ServerFixture<Sshd> SSHD = ServerFixture.perClass(Sshd::start);
 * ...
 * SSHD.get().port();
 * }</pre>
 *
 * @param <T> the server
 */
public final class ServerFixture<T extends AutoCloseable>
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    /** Starts the server with its files in {@code dir}. */
    @FunctionalInterface
    public interface Starter<T> {
        T start(Path dir) throws Exception;
    }

    private final Starter<T> starter;
    private final boolean eachTest;
    private Path dir;
    private T server;

    private ServerFixture(Starter<T> starter, boolean eachTest) {
        this.starter = starter;
        this.eachTest = eachTest;
    }

    /** One server for all the tests of the class. */
    public static <T extends AutoCloseable> ServerFixture<T> perClass(Starter<T> starter) {
        return new ServerFixture<>(starter, false);
    }

    /** A new server for each test. */
    public static <T extends AutoCloseable> ServerFixture<T> perTest(Starter<T> starter) {
        return new ServerFixture<>(starter, true);
    }

    /** The running server; only while its class (or test) runs. */
    public T get() {
        if (server == null) {
            throw new IllegalStateException("the server fixture runs only while its test class or test runs");
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!eachTest) {
            open();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (!eachTest) {
            close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (eachTest) {
            open();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (eachTest) {
            close();
        }
    }

    private void open() throws Exception {
        dir = Files.createTempDirectory("fixture");
        server = starter.start(dir);
    }

    private void close() throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(ServerFixture::delete);
                }
                dir = null;
            }
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
