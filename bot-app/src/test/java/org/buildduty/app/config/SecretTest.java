package org.buildduty.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import org.buildduty.connectors.irc.IrcSettings;
import org.buildduty.core.config.Secret;

class SecretTest {
    @Test
    void toStringNamesTheSourceOnly() {
        Secret s = Secret.of("env IRC_PASSWORD", "s3cr3t-XYZ");

        assertThat(s).hasToString("Secret[from env IRC_PASSWORD]");
        assertThat(s.source()).isEqualTo("env IRC_PASSWORD");
        assertThat(s.reveal()).isEqualTo("s3cr3t-XYZ");
        assertThat(Secret.of("file /x", "v")).hasToString("Secret[from file /x]");
    }

    @Test
    void recordsHoldingASecretPrintTheSourceOnly() {
        IrcSettings.Sasl sasl = new IrcSettings.Sasl("bd", Secret.of("env IRC_PASSWORD", "s3cr3t-XYZ"));

        assertThat(sasl.toString()).doesNotContain("s3cr3t-XYZ").contains("Secret[from env IRC_PASSWORD]");
    }

    @Test
    void equalityCoversSourceAndValue() {
        assertThat(Secret.of("env A", "x")).isEqualTo(Secret.of("env A", "x"))
                .isNotEqualTo(Secret.of("env A", "y"))
                .isNotEqualTo(Secret.of("env B", "x"));
    }

    @Test
    void anEmptySecretIsRefused() {
        assertThatThrownBy(() -> Secret.of("env A", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty secret from env A");
    }
}
