package org.buildduty.commands.mbs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.buildduty.core.config.ConfigContext;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;

class MbsSettingsReaderTest {
    private final MbsSettingsReader reader = new MbsSettingsReader();
    private final ConfigContext ctx = ConfigContext.of(Map.of("MBS_TOKEN", "s3cr3t-XYZ"), Path.of("/srv/bd"));

    private Optional<MbsSettings> read(String yaml) {
        ConfigNode entry = ConfigNode.parse("t.yml", yaml);
        return reader.read(ConfigSection.of(entry, ctx, reader.keys()));
    }

    @Test
    void anEntryWithOnlyAUrlPollsAtTheDefaultsTheWatchesUse() {
        MbsSettings s = read("url: https://mbs.example.org\n").orElseThrow();

        assertThat(s).isEqualTo(new MbsSettings(URI.create("https://mbs.example.org"), Optional.empty()));
        assertThat(s.poll()).isEqualTo(new MbsSettings.Poll(Duration.ofSeconds(30), Duration.ofMinutes(2),
                Duration.ofMinutes(10)));
        assertThat(s.poll().watches()).isEqualTo(new MbsWatches.Settings(Duration.ofSeconds(30),
                Duration.ofMinutes(2), Duration.ofMinutes(10)));
        assertThat(s.secrets()).isEmpty();
        assertThat(ctx.problems().errors()).isEmpty();
    }

    @Test
    void theTokenIsASecretTheBotRedacts() {
        MbsSettings s = read("url: https://mbs.example.org\ntoken_env: MBS_TOKEN\n").orElseThrow();

        assertThat(s.secrets()).extracting(x -> x.reveal()).containsExactly("s3cr3t-XYZ");
        assertThat(s.basicLogins()).isEmpty();
        assertThat(s.toString()).doesNotContain("s3cr3t-XYZ");
    }

    @Test
    void problemsNameFileLineAndField() {
        Optional<MbsSettings> s = read("""
                url: https://mbs.example.org
                poll: { building: 0s, idle: 1m, max_backoff: 10s, often: 1s }
                """);

        assertThat(s).isPresent();
        assertThat(ctx.problems().errors()).containsExactly(
                "t.yml:2: poll.often: unknown key (known: building, idle, max_backoff)",
                "t.yml:2: poll.building: must be more than 0",
                "t.yml:2: poll.max_backoff: must be at least poll.building (30s)");
    }
}
