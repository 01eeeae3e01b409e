package org.buildduty.connectors.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Test certificates made with {@code openssl}: a CA, and a server certificate for {@code 127.0.0.1} (IP SAN) and
 * {@code localhost} (DNS SAN) signed by it, valid for two days, with EC P-256 keys (fast to make).
 *
 * <pre>{@code
 * TestCertificates.make(dir);                        // dir/ca.pem, dir/server.pem, dir/server.key
 * Path stranger = TestCertificates.ca(otherDir);     // a CA that signed nothing of ours
 * }</pre>
 */
public final class TestCertificates {
    public static final String CA = "ca.pem";
    public static final String CA_KEY = "ca.key";
    public static final String SERVER_CERT = "server.pem";
    public static final String SERVER_KEY = "server.key";

    private TestCertificates() {
    }

    /** Makes a CA ({@value #CA}) and a server certificate and key ({@value #SERVER_CERT}, {@value #SERVER_KEY}). */
    public static void make(Path dir) throws IOException {
        ca(dir);
        openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", SERVER_KEY, "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "basicConstraints=CA:FALSE\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth\n");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", CA, "-CAkey", CA_KEY,
                "-set_serial", "0x" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1),
                "-days", "2", "-extfile", "server.ext", "-out", SERVER_CERT);
    }

    /** Makes only a CA in {@code dir} and returns its certificate's PEM file. */
    public static Path ca(Path dir) throws IOException {
        Files.createDirectories(dir);
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", CA_KEY, "-out", CA, "-days", "2",
                "-subj", "/CN=buildduty test CA " + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36),
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return dir.resolve(CA);
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(IrcNetwork.OPENSSL.toString());
        cmd.addAll(List.of(args));
        Path out = dir.resolve("openssl.out");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("openssl " + args[0] + " did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed (exit " + p.exitValue()
                    + "): " + Files.readString(out, StandardCharsets.ISO_8859_1));
        }
    }
}
