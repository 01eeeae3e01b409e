package org.buildduty.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.buildduty.core.InvalidValueException;

class DurationsTest {
    @Test
    void parsesUnitsLargestFirst() {
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("1d2h3m4s")).isEqualTo(Duration.ofSeconds(86_400 + 7_200 + 180 + 4));
        assertThat(Durations.parse(" 90s ")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("3650d")).isEqualTo(Durations.MAX);
    }

    @Test
    void rejectsGarbageWithAHint() {
        for (String bad : new String[] {"90", "", "  ", "-5m", "+5m", "5 m", "1m1h", "1h1h", "5x", "m", "1.5h",
            "5M", "1h 30m", "5m;rm", "٣m"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(InvalidValueException.class);
        }
        assertThatThrownBy(() -> Durations.parse("90")).hasMessage(
                "not a duration: \"90\" (use a number and a unit: 30s, 10m, 2h, 7d, 1h30m)");
        assertThatThrownBy(() -> Durations.parse("1m1h")).hasMessageContaining("largest first");
    }

    @Test
    void rejectsZeroAndOverflow() {
        assertThatThrownBy(() -> Durations.parse("0s")).hasMessage("duration must be more than zero: \"0s\"");
        assertThatThrownBy(() -> Durations.parse("3651d")).hasMessageContaining("too long");
        assertThatThrownBy(() -> Durations.parse("999999999d")).hasMessageContaining("too long");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999s")).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void neverEchoesControlCharacters() {
        assertThatThrownBy(() -> Durations.parse("5m\n\u0003evil"))
                .hasMessage("not a duration: \"5m??evil\" (use a number and a unit: 30s, 10m, 2h, 7d, 1h30m)");
    }

    @Test
    void formatsTheTwoLargestUnits() {
        assertThat(Durations.format(Duration.ofMinutes(65))).isEqualTo("1h 5m");
        assertThat(Durations.format(Duration.ofMinutes(12))).isEqualTo("12m");
        assertThat(Durations.format(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Durations.format(Duration.ofHours(51))).isEqualTo("2d 3h");
        assertThat(Durations.format(Duration.ofHours(1).plusSeconds(5))).isEqualTo("1h");
        assertThat(Durations.format(Duration.ofMinutes(2).plusSeconds(5))).isEqualTo("2m 5s");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.format(Duration.ofMillis(300))).isEqualTo("0s");
        assertThat(Durations.format(Duration.ofMinutes(-3))).isEqualTo("-3m");
    }

    @Test
    void oneGrammarForTheConfigurationRunbooksAndChat() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("1s500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parseSetting("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parseSetting("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parseSetting("1d2h3m4s")).isEqualTo(Durations.parse("1d2h3m4s"));
        assertThatThrownBy(() -> Durations.parseSetting("30m1h")).hasMessageContaining("largest first");
        assertThatThrownBy(() -> Durations.parse("1ms1s")).hasMessageContaining("largest first");
        assertThatThrownBy(() -> Durations.parseSetting("soon"))
                .hasMessage("not a duration: \"soon\" (use a number and a unit: 30s, 10m, 2h, 7d, 1h30m)");
    }

    @Test
    void theConfigurationKeepsItsBareSecondsAndZero() {
        assertThat(Durations.parseSetting("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parseSetting(" 2m ")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parseSetting("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parseSetting("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parseSetting("0")).isZero();
        assertThat(Durations.parseSetting("0s")).isZero();
        assertThatThrownBy(() -> Durations.parseSetting("-5s")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> Durations.parseSetting("1.5h")).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void compactRoundTrips() {
        for (String s : new String[] {"30s", "10m", "1h30m", "7d", "1d2h3m4s", "1s500ms", "250ms"}) {
            assertThat(Durations.compact(Durations.parse(s))).isEqualTo(s);
        }
    }
}
