package org.buildduty.commands.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.buildduty.core.config.ConfigContext;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.Secret;

class JenkinsSettingsReaderTest {
    private final JenkinsSettingsReader reader = new JenkinsSettingsReader();
    private final ConfigContext ctx = ConfigContext.of(Map.of("JENKINS_TOKEN", "tok-s3cr3t-XYZ",
            "JENKINS_PASSWORD", "pw-s3cr3t-XYZ"), Path.of("/srv/bd"));

    private Optional<JenkinsSettings> read(String yaml) {
        ConfigNode entry = ConfigNode.parse("t.yml", yaml);
        return reader.read(ConfigSection.of(entry, ctx, reader.keys()));
    }

    @Test
    void aUserAndATokenAreBasicCredentialsTheBotRedacts() {
        JenkinsSettings s = read("url: https://jenkins.example.org\nuser: buildduty\ntoken_env: JENKINS_TOKEN\n")
                .orElseThrow();

        assertThat(s.url()).isEqualTo(URI.create("https://jenkins.example.org"));
        assertThat(s.secrets()).extracting(Secret::reveal).containsExactly("tok-s3cr3t-XYZ");
        assertThat(s.basicLogins()).singleElement().satisfies(l -> assertThat(l.user()).isEqualTo("buildduty"));
        assertThat(s.toString()).doesNotContain("s3cr3t");
        assertThat(ctx.problems().errors()).isEmpty();
    }

    @Test
    void aPasswordInsteadOfAToken() {
        JenkinsSettings s = read("url: https://jenkins.example.org\nuser: buildduty\npassword_env: JENKINS_PASSWORD\n")
                .orElseThrow();

        assertThat(s.token()).isEmpty();
        assertThat(s.password()).map(Secret::reveal).contains("pw-s3cr3t-XYZ");
    }

    @Test
    void problemsNameFileLineAndField() {
        read("url: https://jenkins.example.org\ntoken_env: JENKINS_TOKEN\npassword_env: JENKINS_PASSWORD\n");
        read("url: https://jenkins.example.org\nuser: bot\n");
        read("user: bot\ntoken_env: JENKINS_TOKEN\ncrumb: x\n");

        assertThat(ctx.problems().errors()).containsExactly(
                "t.yml:1: user: missing",
                "t.yml:3: password_env: give a token (token_env or token_file) or a password, not both",
                "t.yml:1: token_env: missing (or token_file; or password_env, password_file)",
                "t.yml:3: crumb: unknown key (known: password_env, password_file, token_env, token_file, url, user)",
                "t.yml:1: url: missing");
    }
}
