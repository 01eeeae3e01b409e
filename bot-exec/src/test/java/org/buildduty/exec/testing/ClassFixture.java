package org.buildduty.exec.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test server for a whole test class (a real sshd, IRC network, ...): started in a fresh temporary folder before
 * the class's first test, closed and its folder deleted after the class's last test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ClassFixture<Sshd> SSHD = ClassFixture.of(dir -> Sshd.start(dir));
 * ...
 * SSHD.get().port();
 * }</pre>
 *
 * @param <T> the server
 */
public final class ClassFixture<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback {
    /** Starts the server with its files in {@code dir}. */
    @FunctionalInterface
    public interface Starter<T> {
        T start(Path dir) throws Exception;
    }

    private final Starter<T> starter;
    private Path dir;
    private T server;

    private ClassFixture(Starter<T> starter) {
        this.starter = starter;
    }

    public static <T extends AutoCloseable> ClassFixture<T> of(Starter<T> starter) {
        return new ClassFixture<>(starter);
    }

    /** The running server; only while the test class runs. */
    public T get() {
        if (server == null) {
            throw new IllegalStateException("the class fixture runs only while its test class runs");
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("fixture");
        server = starter.start(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(ClassFixture::delete);
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
