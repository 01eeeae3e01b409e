package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConfigLoader;
import org.buildduty.core.progress.Redactor;

class SecretsTest {
    @TempDir
    Path dir;

    @Test
    void everyResolvedSecretIsRedactedAndItsVariableHiddenFromLocalCommands() throws Exception {
        Path token = dir.resolve("mbs.token");
        Files.writeString(token, "mbs-t0ken-FILE\n");
        Path file = dir.resolve("bot.yml");
        Files.writeString(file, String.join("\n",
                "bot: { web: \"0.0.0.0:8080\", web_token_env: WEB_TOKEN }",
                "connectors:",
                "  - id: console",
                "    type: console",
                "services:",
                "  buildbot: { url: http://127.0.0.1:8010, user: bot, password_env: BB_PASS }",
                "  mbs: { url: http://127.0.0.1:9000, token_file: " + token + " }",
                ""));
        BotConfig cfg = ConfigLoader.load(file, Map.of("BB_PASS", "s3cr3t-XYZ", "WEB_TOKEN",
                "w3b-T0KEN"), dir);

        Redactor r = Secrets.redactor(cfg);
        assertThat(r.redact("login bot:s3cr3t-XYZ with mbs-t0ken-FILE")).isEqualTo("login bot:*** with ***");
        assertThat(r.redact("GET /?token=w3b-T0KEN")).isEqualTo("GET /?token=***");
        assertThat(r.redact("Authorization: Basic " + Base64.getEncoder().encodeToString("bot:s3cr3t-XYZ"
                .getBytes(StandardCharsets.UTF_8)))).isEqualTo("Authorization: Basic ***");
        assertThat(r.redact("{\"token\": \"mbs-t0ken-FILE\"}")).isEqualTo("{\"token\": \"***\"}");
        assertThat(Secrets.environmentNames(cfg)).containsExactly("BB_PASS", "WEB_TOKEN");
        assertThat(cfg.toString()).doesNotContain("s3cr3t-XYZ").doesNotContain("mbs-t0ken-FILE")
                .doesNotContain("w3b-T0KEN");
    }
}
