package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConfigLoader;
import org.buildduty.app.config.ConnectorTypes;
import org.buildduty.core.progress.Redactor;

/** The secrets each connector's settings name reach the redactor, whichever connector package read them. */
class ConnectorSecretsTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyConnectorSecretAndItsBasicFormIsRedacted() {
        BotConfig cfg = ConfigLoader.load(REPO.resolve("config/example-full.yml"), Map.of(
                "IRC_PASSWORD", "irc-s3cr3t-XYZ", "MATRIX_TOKEN", "matrix-s3cr3t-XYZ",
                "ZULIP_API_KEY", "zulip-s3cr3t-XYZ", "SSH_PASSPHRASE", "ssh-s3cr3t-XYZ",
                "BUILDBOT_PASSWORD", "bb-s3cr3t-XYZ", "MBS_TOKEN", "mbs-s3cr3t-XYZ", "JENKINS_TOKEN", "jk-s3cr3t-XYZ",
                "KERNELCI_TOKEN", "kci-s3cr3t-XYZ", "NEXUS_PASSWORD", "nexus-s3cr3t-XYZ"), REPO.resolve("config"));

        Redactor r = Secrets.redactor(cfg);

        assertThat(r.redact("irc-s3cr3t-XYZ matrix-s3cr3t-XYZ zulip-s3cr3t-XYZ")).isEqualTo("*** *** ***");
        assertThat(r.redact("Basic " + basic("buildduty-bot@zulip.example.com:zulip-s3cr3t-XYZ")))
                .isEqualTo("Basic ***");
        assertThat(r.redact("Basic " + basic("buildduty:irc-s3cr3t-XYZ"))).isEqualTo("Basic ***");
        assertThat(Secrets.environmentNames(cfg)).contains("IRC_PASSWORD", "MATRIX_TOKEN", "ZULIP_API_KEY");
    }

    @Test
    void theConnectorTypesAreListedOnceInTheOrderErrorsName() {
        assertThat(ConnectorTypes.names()).containsExactly("console", "irc", "matrix", "zulip");
    }

    private static String basic(String userColonSecret) {
        return Base64.getEncoder().encodeToString(userColonSecret.getBytes(StandardCharsets.UTF_8));
    }
}
