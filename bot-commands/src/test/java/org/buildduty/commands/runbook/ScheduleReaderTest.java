package org.buildduty.commands.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.config.ConfigException;
import org.buildduty.core.param.Inventory;

/** A runbook's schedule: read with cron-utils, every problem at its line. */
class ScheduleReaderTest {
    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        return Files.writeString(dir.resolve("nightly.yml"), String.join("\n", lines) + "\n");
    }

    private List<Runbook> load() {
        return RunbookLoader.loadAll(dir, RunbookLoader.STANDARD_KINDS, List.of(), Inventory.EMPTY, Set.of("irc"));
    }

    private List<String> errors() {
        try {
            load();
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("loaded without errors");
    }

    private static String[] runbook(String... schedule) {
        List<String> head = List.of("name: nightly", "role: anyone", "params:",
                "  target: { type: enum, choices: [all, one] }", "schedule:");
        List<String> tail = List.of("steps:", "  - name: check", "    local: { command: \"echo {{target}}\" }");
        return java.util.stream.Stream.of(head, List.of(schedule), tail).flatMap(List::stream)
                .toArray(String[]::new);
    }

    @Test
    void aGoodScheduleIsReadWithItsDefaultsAndItsZone() throws IOException {
        write(runbook("  cron: \"0 6 * * 1-5\"", "  params: { target: all }", "  notify: \"irc:#releng\"",
                "  timezone: Europe/Paris"));
        Schedule s = load().get(0).scheduled().orElseThrow();
        assertThat(s.params()).containsEntry("target", "all");
        assertThat(s.onOverlap()).isEqualTo(Schedule.OnOverlap.SKIP);
        assertThat(s.misfire()).isEqualTo(Schedule.Misfire.SKIP);
        assertThat(s.zone()).isEqualTo(ZoneId.of("Europe/Paris"));
        // Friday 2026-12-11 08:00 in Paris is 07:00 UTC; the next is Monday
        assertThat(s.next(Instant.parse("2026-12-11T04:00:00Z"))).hasValue(Instant.parse("2026-12-11T05:00:00Z"));
        assertThat(s.next(Instant.parse("2026-12-11T05:00:00Z"))).hasValue(Instant.parse("2026-12-14T05:00:00Z"));
    }

    @Test
    void everyProblemIsReportedAtItsLine() throws IOException {
        Path f = write(runbook("  cron: \"0 25 * * *\"", "  params: { target: all, tagret: x }",
                "  notify: \"matrix:#releng\"", "  on_overlap: wait", "  misfire: always",
                "  timezone: Mars/Olympus", "  every: 1h"));
        assertThat(errors()).containsExactly(
                f + ":6: schedule.cron: not a cron expression (minute hour day-of-month month"
                        + " day-of-week, e.g. \"0 6 * * 1-5\"): Failed to parse cron expression. Value 25 not in"
                        + " range [0, 23]",
                f + ":7: schedule.params.tagret: unknown parameter \"tagret\" (parameters: target)",
                f + ":8: schedule.notify: \"matrix:#releng\" names no configured connector (connectors: irc)",
                f + ":9: schedule.on_overlap: must be skip or queue, not \"wait\"",
                f + ":10: schedule.misfire: must be skip or run_once, not \"always\"",
                f + ":11: schedule.timezone: unknown time zone \"Mars/Olympus\" (e.g. UTC, Europe/Paris)",
                f + ":12: schedule.every: unknown key (known: cron, misfire, notify, on_overlap, params, timezone)");
    }

    @Test
    void aScheduledRunThatWouldFailToPlanIsRefusedAtLoad() throws IOException {
        Path f = write(runbook("  cron: \"0 6 * * *\"", "  params: { target: some }", "  notify: \"#releng\""));
        assertThat(errors()).singleElement().satisfies(e -> assertThat(e)
                .startsWith(f + ":7: schedule.params: the scheduled run would fail: "));
    }

    @Test
    void aCronOfSixFieldsIsRefused() throws IOException {
        Path f = write(runbook("  cron: \"0 0 6 * * *\"", "  notify: \"#releng\"", "  params: { target: all }"));
        assertThat(errors()).containsExactly(f + ":6: schedule.cron: not a cron expression"
                + " (minute hour day-of-month month day-of-week, e.g. \"0 6 * * 1-5\"): a cron expression has 5"
                + " fields (minute hour day-of-month month day-of-week), not 6");
    }
}
