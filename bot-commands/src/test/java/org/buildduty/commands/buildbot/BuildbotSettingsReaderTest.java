package org.buildduty.commands.buildbot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.buildduty.core.config.ConfigContext;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.ConnectorSettings;

class BuildbotSettingsReaderTest {
    private final BuildbotSettingsReader reader = new BuildbotSettingsReader();
    private final ConfigContext ctx = ConfigContext.of(Map.of("BB_PW", "s3cr3t-XYZ"), Path.of("/srv/bd"));

    private Optional<BuildbotSettings> read(String yaml) {
        ConfigNode entry = ConfigNode.parse("t.yml", yaml);
        return reader.read(ConfigSection.of(entry, ctx, reader.keys()));
    }

    @Test
    void anEntryWithOnlyAUrlIsAnonymousWithTheForceScheduler() {
        BuildbotSettings s = read("url: http://bb:8010\n").orElseThrow();

        assertThat(s).isEqualTo(new BuildbotSettings(URI.create("http://bb:8010"), Optional.empty(),
                Optional.empty(), "force", Map.of()));
        assertThat(s.secrets()).isEmpty();
        assertThat(s.basicLogins()).isEmpty();
        assertThat(ctx.problems().errors()).isEmpty();
    }

    @Test
    void theUsersPasswordIsASecretTheBotRedactsInItsBasicFormToo() {
        BuildbotSettings s = read("""
                url: http://bb:8010
                user: bd
                password_env: BB_PW
                scheduler: nightly
                repositories: { flocker: "https://github.com/ClusterHQ/flocker.git" }
                """).orElseThrow();

        assertThat(s.scheduler()).isEqualTo("nightly");
        assertThat(s.repositories()).containsExactly(Map.entry("flocker", "https://github.com/ClusterHQ/flocker.git"));
        assertThat(s.secrets()).extracting(x -> x.reveal()).containsExactly("s3cr3t-XYZ");
        assertThat(s.basicLogins()).extracting(ConnectorSettings.BasicLogin::user).containsExactly("bd");
        assertThat(s.toString()).doesNotContain("s3cr3t-XYZ");
    }

    @Test
    void problemsNameFileLineAndField() {
        Optional<BuildbotSettings> s = read("""
                user: bd
                scheduler: force
                """);

        assertThat(s).isEmpty();
        assertThat(ctx.problems().errors()).containsExactly("t.yml:1: url: missing",
                "t.yml:1: password_env: missing (or password_file)");
    }
}
