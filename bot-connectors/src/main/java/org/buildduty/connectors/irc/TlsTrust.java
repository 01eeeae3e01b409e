package org.buildduty.connectors.irc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.buildduty.core.BuilddutyException;

/**
 * Whom a TLS connection trusts, and why a handshake failed. A PEM file of CA certificates gives a socket factory
 * that trusts exactly those CAs (host name verification is the socket's, and stays on); a failed handshake becomes
 * a {@link Failure} with a one-line reason, permanent when the server's certificate (or its answering the TLS hello
 * with something else than TLS) is the problem, which retrying the same server would not fix; a server that does not
 * answer the hello at all may only be slow.
 */
final class TlsTrust {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]*?)-----END CERTIFICATE-----");
    private static final Pattern NAME_MISMATCH = Pattern.compile("No subject alternative.*|No name matching.*");

    private TlsTrust() {
    }

    /** The certificates of a PEM file; throws {@link BuilddutyException} naming the file when it is unusable. */
    static List<X509Certificate> readPem(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw bad(file, "no such file");
        } catch (AccessDeniedException e) {
            throw bad(file, "permission denied");
        } catch (IOException e) {
            throw bad(file, "cannot read it: " + e.getMessage());
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            Matcher m = PEM.matcher(text);
            while (m.find()) {
                byte[] der;
                try {
                    der = Base64.getMimeDecoder().decode(m.group(1).strip());
                } catch (IllegalArgumentException e) {
                    throw bad(file, "certificate " + (out.size() + 1) + " is not valid base64");
                }
                try {
                    out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
                } catch (CertificateException e) {
                    throw bad(file, "certificate " + (out.size() + 1) + " is not an X.509 certificate");
                }
            }
        } catch (CertificateException e) {
            throw new IllegalStateException("no X.509 support in this JVM", e);
        }
        if (out.isEmpty()) {
            throw bad(file, "no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
        }
        return out;
    }

    /** A socket factory that trusts exactly the CAs in {@code caFile}. */
    static SSLSocketFactory socketFactory(Path caFile) {
        List<X509Certificate> cas = readPem(caFile);
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw bad(caFile, "cannot build a trust store from it: " + e.getMessage());
        }
    }

    private static BuilddutyException bad(Path file, String why) {
        return new BuilddutyException("TLS CA file " + file + ": " + why);
    }

    /**
     * The failure of a handshake with {@code where} (host:port), whose trust came from {@code trustedBy} (e.g. "the
     * system CAs").
     */
    static Failure failure(IOException e, String where, String host, String trustedBy, Duration timeout) {
        String prefix = "TLS handshake with " + where + " failed: ";
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return new Failure(prefix + "certificate expired or not yet valid (" + t.getMessage() + ")", true, e);
            }
            if (t instanceof CertPathValidatorException invalid) {
                CertPathValidatorException.Reason r = invalid.getReason();
                if (r == CertPathValidatorException.BasicReason.EXPIRED
                        || r == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                    return new Failure(prefix + "certificate expired or not yet valid", true, e);
                }
                return new Failure(prefix + "certificate not trusted by " + trustedBy
                        + " (PKIX path validation failed: " + oneLine(t.getMessage()) + ")", true, e);
            }
            if (t instanceof CertPathBuilderException) {
                return new Failure(prefix + "certificate not trusted by " + trustedBy
                        + " (PKIX path building failed)", true, e);
            }
            if (t.getClass() == CertificateException.class && t.getMessage() != null
                    && NAME_MISMATCH.matcher(t.getMessage()).matches()) {
                return new Failure(prefix + "certificate does not match host " + host, true, e);
            }
        }
        if (e instanceof SocketTimeoutException) {
            return new Failure(prefix + "no answer to the TLS hello within " + timeout.toSeconds()
                    + " s (a plain IRC port?)", false, e);
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof SSLException && m.contains("Unsupported or unrecognized SSL message")) {
            return new Failure(prefix + "the server does not speak TLS on this port (a plain IRC port?)", true, e);
        }
        return new Failure(prefix + PircBotXGlue.describe(e), false, e);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ");
    }

    /** A failed TLS handshake: a one-line reason, and whether retrying the same server is pointless. */
    static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean permanent;

        Failure(String reason, boolean permanent, Throwable cause) {
            super(reason, cause);
            this.permanent = permanent;
        }

        boolean permanent() {
            return permanent;
        }
    }
}
