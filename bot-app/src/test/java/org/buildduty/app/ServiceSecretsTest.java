package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConfigLoader;
import org.buildduty.app.config.ServiceTypes;
import org.buildduty.core.progress.Redactor;

/** The secrets each service's settings name reach the redactor, whichever service package read them. */
class ServiceSecretsTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyServiceSecretAndItsBasicFormIsRedacted() {
        BotConfig cfg = ConfigLoader.load(REPO.resolve("config/example-full.yml"), Map.of(
                "IRC_PASSWORD", "irc-s3cr3t-XYZ", "MATRIX_TOKEN", "matrix-s3cr3t-XYZ",
                "ZULIP_API_KEY", "zulip-s3cr3t-XYZ", "SSH_PASSPHRASE", "ssh-s3cr3t-XYZ",
                "BUILDBOT_PASSWORD", "bb-s3cr3t-XYZ", "MBS_TOKEN", "mbs-s3cr3t-XYZ", "JENKINS_TOKEN", "jk-s3cr3t-XYZ",
                "KERNELCI_TOKEN", "kci-s3cr3t-XYZ", "NEXUS_PASSWORD", "nexus-s3cr3t-XYZ"), REPO.resolve("config"));

        Redactor r = Secrets.redactor(cfg);

        assertThat(r.redact("bb-s3cr3t-XYZ mbs-s3cr3t-XYZ jk-s3cr3t-XYZ")).isEqualTo("*** *** ***");
        assertThat(r.redact("Basic " + basic("buildduty:jk-s3cr3t-XYZ"))).isEqualTo("Basic ***");
        assertThat(r.redact("Basic " + basic("buildduty:bb-s3cr3t-XYZ"))).isEqualTo("Basic ***");
        assertThat(Secrets.environmentNames(cfg)).contains("BUILDBOT_PASSWORD", "MBS_TOKEN", "JENKINS_TOKEN");
    }

    @Test
    void theServiceTypesAreListedOnceInTheOrderTheirStepsAndCommandsAreAdded() {
        assertThat(ServiceTypes.names()).containsExactly("buildbot", "mbs", "jenkins");
    }

    private static String basic(String userColonSecret) {
        return Base64.getEncoder().encodeToString(userColonSecret.getBytes(StandardCharsets.UTF_8));
    }
}
