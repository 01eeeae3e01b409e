package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.connectors.testing.TestCertificates;
import org.buildduty.core.BuilddutyException;

/** Reading CA files, and the one-line reasons of failed handshakes. */
class TlsTrustTest {
    private static final Duration T = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void readsEveryCertificateOfAPemFileAndSkipsOtherText() throws Exception {
        Path a = TestCertificates.ca(dir.resolve("a"));
        Path b = TestCertificates.ca(dir.resolve("b"));
        Path both = dir.resolve("both.pem");
        Files.writeString(both, "Subject: first\n" + Files.readString(a) + "\nsecond:\n" + Files.readString(b));
        assertThat(TlsTrust.readPem(both)).hasSize(2).extracting(c -> c.getSubjectX500Principal().getName())
                .allMatch(n -> n.startsWith("CN=buildduty test CA")).doesNotHaveDuplicates();
        assertThat(IrcConfig.builder("irc", "127.0.0.1", 6697).tlsTrust(both).build().tlsSocketFactory())
                .isNotNull();
    }

    @Test
    void aMissingEmptyOrNonPemFileIsAnErrorNamingTheFile() throws Exception {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> IrcConfig.builder("irc", "h", 6697).tlsTrust(missing).build())
                .isInstanceOf(BuilddutyException.class).hasMessage("TLS CA file " + missing + ": no such file");
        Path der = dir.resolve("ca.der");
        Files.write(der, new byte[] {0x30, (byte) 0x82, 1, 2, 3});
        assertThatThrownBy(() -> TlsTrust.readPem(der)).isInstanceOf(BuilddutyException.class)
                .hasMessage("TLS CA file " + der + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
        Path key = dir.resolve("key.pem");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> TlsTrust.readPem(key)).hasMessageContaining(key + ": no PEM certificate");
        Path garbled = dir.resolve("garbled.pem");
        Files.writeString(garbled, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> TlsTrust.readPem(garbled))
                .hasMessage("TLS CA file " + garbled + ": certificate 1 is not an X.509 certificate");
        assertThatThrownBy(() -> TlsTrust.readPem(dir)).hasMessageStartingWith("TLS CA file " + dir + ": cannot read");
    }

    @Test
    void aCaFileNeedsTls() throws Exception {
        Path ca = TestCertificates.ca(dir);
        assertThatThrownBy(() -> IrcConfig.builder("irc", "h", 6667).tls(false).tlsTrust(ca).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs tls(true)");
        IrcConfig plain = IrcConfig.builder("irc", "h", 6667).tls(false).build();
        assertThat(plain.tlsSocketFactory()).isNull();
        assertThat(plain.tlsTrust()).isEmpty();
        assertThat(IrcConfig.builder("irc", "h", 6697).build().trustedBy()).isEqualTo("the system CAs");
        assertThat(IrcConfig.builder("irc", "h", 6697).tlsTrust(ca).build().toString()).contains("trusting " + ca);
    }

    @Test
    void aNameMismatchIsFinal() {
        String jdk = "No subject alternative names matching IP address 10.1.2.3 found";
        SSLHandshakeException e = new SSLHandshakeException(jdk);
        e.initCause(new CertificateException(jdk));
        TlsTrust.Failure f = TlsTrust.failure(e, "10.1.2.3:6697", "10.1.2.3", "the system CAs", T);
        assertThat(f).hasMessage("TLS handshake with 10.1.2.3:6697 failed: certificate does not match host 10.1.2.3");
        assertThat(f.permanent()).isTrue();
    }

    @Test
    void anExpiredCertificateIsFinalAndSaysSo() {
        SSLHandshakeException e = new SSLHandshakeException("PKIX path validation failed");
        e.initCause(new CertPathValidatorException("validity check failed", new CertificateExpiredException(
                "NotAfter: Mon Jan 01 00:00:00 UTC 2024"), null, -1,
                CertPathValidatorException.BasicReason.EXPIRED));
        TlsTrust.Failure f = TlsTrust.failure(e, "irc.corp:6697", "irc.corp", "the system CAs", T);
        assertThat(f.getMessage()).startsWith("TLS handshake with irc.corp:6697 failed: certificate expired");
        assertThat(f.permanent()).isTrue();
    }

    @Test
    void aHandshakeCutShortMayBeTransient() {
        SSLHandshakeException e = new SSLHandshakeException("Remote host terminated the handshake");
        e.initCause(new EOFException("SSL peer shut down incorrectly"));
        TlsTrust.Failure f = TlsTrust.failure(e, "irc.corp:6697", "irc.corp", "the system CAs", T);
        assertThat(f).hasMessage("TLS handshake with irc.corp:6697 failed: EOFException: SSL peer shut down "
                + "incorrectly");
        assertThat(f.permanent()).isFalse();
        IOException plain = new SSLException("Unsupported or unrecognized SSL message");
        assertThat(TlsTrust.failure(plain, "h:1", "h", "x", T).permanent()).isTrue();
    }
}
