package org.buildduty.commands.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.buildduty.core.InvalidValueException;

class MaintenanceTimesTest {
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    @ParameterizedTest
    @CsvSource({
        "2026-11-21T18:00Z, 2026-11-21T18:00:00Z",
        "2026-11-21t18:00z, 2026-11-21T18:00:00Z",
        "2026-11-21T19:00+01:00, 2026-11-21T18:00:00Z",
        "2026-11-21T18:00:30-02:00, 2026-11-21T20:00:30Z",
        "2026-11-21 18:00, 2026-11-21T18:00:00Z",
        "2026-11-22T7:05, 2026-11-22T07:05:00Z",
        "18:00, 2026-11-21T18:00:00Z",
        "09:59, 2026-11-22T09:59:00Z",
        "10:00, 2026-11-22T10:00:00Z",
        "+90m, 2026-11-21T11:30:00Z",
        "+1h30m, 2026-11-21T11:30:00Z",
        "+2d, 2026-11-23T10:00:00Z",
    })
    void readsEveryFormatInUtc(String text, String expected) {
        assertThat(MaintenanceTimes.parseAt(text, NOW)).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2026-11-21T10:00Z | is in the past",
        "2026-11-21 09:00 | is in the past",
        "24:00 | not a time",
        "18:60 | not a time",
        "2026-02-30 10:00 | not a time",
        "+0m | bad --at \"+0m\": duration must be more than zero",
        "+soon | bad --at",
        "2026-11-22 | needs a time too",
        "2027-12-01T00:00Z | more than a year ahead",
    })
    void refusesWithOneLine(String text, String expected) {
        assertThatThrownBy(() -> MaintenanceTimes.parseAt(text, NOW)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining(expected).hasMessageNotContaining("\n");
    }

    @Test
    void windowsShowTheDateOnlyWhenNotToday() {
        Instant start = Instant.parse("2026-11-21T18:00:00Z");
        assertThat(MaintenanceTimes.window(start, start.plus(Duration.ofHours(1)), NOW)).isEqualTo("18:00–19:00 UTC");
        assertThat(MaintenanceTimes.window(start.plus(Duration.ofDays(1)), start.plus(Duration.ofHours(25)), NOW))
                .isEqualTo("2026-11-22 18:00–19:00 UTC");
        assertThat(MaintenanceTimes.window(start, start.plus(Duration.ofHours(7)), NOW))
                .isEqualTo("18:00 – 2026-11-22 01:00 UTC");
        assertThat(MaintenanceTimes.relative(start, NOW)).isEqualTo("in 8h");
        assertThat(MaintenanceTimes.relative(NOW.minusSeconds(3700), NOW)).isEqualTo("1h 1m ago");
        assertThat(MaintenanceTimes.relative(NOW, NOW)).isEqualTo("now");
    }
}
