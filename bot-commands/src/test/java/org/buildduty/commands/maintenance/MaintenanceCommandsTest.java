package org.buildduty.commands.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

/** The clock starts at 2026-11-21 10:00 UTC (FakeTicker's default). */
class MaintenanceCommandsTest {
    private static final ChatAddress OPS = ChatAddress.of(TestBot.CHAT, "#ops");
    private static final ChatAddress NEWS = ChatAddress.of(TestBot.CHAT, "#news");
    private static final ChatAddress ROOM = ChatAddress.of(TestBot.CHAT, TestBot.ROOM);
    private static final String UPGRADE = "!maintenance buildbot upgrade --at 12:00 --duration 1h --notify #ops #news";

    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryJournal journal = new InMemoryJournal();
    private MaintenanceSchedule schedule;
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    private TestBot start() {
        MaintenanceSchedule s = new MaintenanceSchedule();
        schedule = s;
        bot = TestBot.builder().ticker(ticker).journal(journal).commands(r -> MaintenanceCommands.register(r, s))
                .service(s).anonymous(true).role("releng", "alice").build();
        return bot;
    }

    /** Advances the clock, ticks the schedule twice (a second tick must add nothing) and returns the new lines. */
    private List<String> advance(Duration d) {
        ticker.advance(d);
        schedule.tick();
        schedule.tick();
        return bot.settle();
    }

    private List<String> sentTo(ChatAddress to) {
        return bot.chat().sent().stream().filter(s -> s.to().equals(to)).map(FakeConnector.Sent::text).toList();
    }

    private void assertNothingPersisted() {
        assertThat(journal.states(MaintenanceSchedule.KIND).keySet()).allMatch(MaintenanceSchedule.NEXT_ID::equals);
    }

    @Test
    void announcesWhenCreatedThenRemindsStartsAndEndsOnTimeOnEveryTarget() {
        start();
        assertThat(bot.send("alice", UPGRADE)).containsExactlyInAnyOrder(
                "Maintenance 1: buildbot upgrade, 12:00–13:00 UTC (in 2h), by alice",
                "Maintenance 1: buildbot upgrade, 12:00–13:00 UTC (in 2h), by alice",
                "scheduled maintenance 1: buildbot upgrade, 12:00–13:00 UTC (in 2h); reminder 15m before; "
                        + "notifying chat:#ops, chat:#news; cancel with !maintenance cancel 1");
        assertThat(advance(Duration.ofMinutes(104))).isEmpty();
        assertThat(advance(Duration.ofMinutes(1))).containsExactly(
                "Maintenance 1 starts in 15m (12:00–13:00 UTC): buildbot upgrade",
                "Maintenance 1 starts in 15m (12:00–13:00 UTC): buildbot upgrade");
        assertThat(advance(Duration.ofMinutes(14).plusSeconds(59))).isEmpty();
        assertThat(advance(Duration.ofSeconds(1))).containsOnly("Maintenance 1 starting now: buildbot upgrade, "
                + "until 13:00 UTC").hasSize(2);
        assertThat(advance(Duration.ofMinutes(59))).isEmpty();
        assertThat(advance(Duration.ofMinutes(1))).containsOnly(
                "Maintenance 1 is over: buildbot upgrade (12:00–13:00 UTC)").hasSize(2);
        assertThat(advance(Duration.ofHours(2))).isEmpty();
        for (ChatAddress to : List.of(OPS, NEWS)) {
            assertThat(sentTo(to)).containsExactly(
                    "Maintenance 1: buildbot upgrade, 12:00–13:00 UTC (in 2h), by alice",
                    "Maintenance 1 starts in 15m (12:00–13:00 UTC): buildbot upgrade",
                    "Maintenance 1 starting now: buildbot upgrade, until 13:00 UTC",
                    "Maintenance 1 is over: buildbot upgrade (12:00–13:00 UTC)");
        }
        assertThat(sentTo(ROOM)).singleElement().asString().startsWith("scheduled maintenance 1:");
    }

    @Test
    void aRestartSendsTheLateNoticesOnceAndSaysSoThenTheEndOnTime() {
        start();
        bot.send("alice", UPGRADE);
        assertThat(advance(Duration.ofMinutes(105))).hasSize(2);   // the reminder, at 11:45
        bot.close();
        ticker.advance(Duration.ofMinutes(27));                    // down over the start: 12:12
        start();
        assertThat(advance(Duration.ZERO)).containsOnly(
                "Maintenance 1 starting now: buildbot upgrade, until 13:00 UTC (late by 12m: the bot was down)")
                .hasSize(2);
        bot.close();
        start();                                                    // a restart at once re-sends nothing
        assertThat(advance(Duration.ofMinutes(47))).isEmpty();
        assertThat(advance(Duration.ofMinutes(1))).containsOnly(
                "Maintenance 1 is over: buildbot upgrade (12:00–13:00 UTC)").hasSize(2);
    }

    @Test
    void aRestartAfterTheReminderAndStartSkipsTheReminder() {
        start();
        bot.send("alice", UPGRADE);
        bot.close();
        ticker.advance(Duration.ofMinutes(130));                    // 12:10: reminder and start passed
        start();
        assertThat(advance(Duration.ZERO)).containsOnly(
                "Maintenance 1 starting now: buildbot upgrade, until 13:00 UTC (late by 10m: the bot was down)")
                .hasSize(2);
        assertThat(sentTo(OPS)).hasSize(1);
        assertThat(advance(Duration.ofMinutes(50))).hasSize(2);
    }

    @Test
    void aRestartAfterTheEndSaysInOneLineThatItIsOver() {
        start();
        bot.send("alice", UPGRADE);
        bot.close();
        ticker.advance(Duration.ofHours(4));
        start();
        assertThat(advance(Duration.ZERO)).containsOnly("Maintenance 1 (buildbot upgrade, 12:00–13:00 UTC) started "
                + "and ended while the bot was down; it is over").hasSize(2);
        assertThat(bot.send("bob", "!maintenance list")).singleElement().asString()
                .isEqualTo("maintenance 1: buildbot upgrade, 12:00–13:00 UTC, over, ended 1h ago, 2 targets");
        assertThat(advance(Duration.ofHours(24))).isEmpty();
        assertThat(bot.send("bob", "!maintenance list")).containsExactly("no maintenance scheduled");
        assertThat(journal.states(MaintenanceSchedule.KIND)).containsOnlyKeys(MaintenanceSchedule.NEXT_ID);
    }

    @Test
    void cancelAnnouncesAndStopsEveryLaterNotice() {
        start();
        bot.send("alice", UPGRADE);
        assertThat(bot.send("mallory", "!maintenance cancel 1")).singleElement().asString().contains("releng");
        assertThat(bot.send("alice", "!maintenance cancel 1")).containsExactlyInAnyOrder(
                "Maintenance 1 cancelled by alice: buildbot upgrade (was 12:00–13:00 UTC)",
                "Maintenance 1 cancelled by alice: buildbot upgrade (was 12:00–13:00 UTC)",
                "cancelled maintenance 1 (buildbot upgrade); told 2 targets");
        assertThat(bot.send("alice", "!maintenance cancel 1")).containsExactly(
                "maintenance 1 was already cancelled");
        assertThat(bot.send("alice", "!maintenance cancel 7")).containsExactly(
                "no maintenance 7 (see !maintenance list)");
        assertThat(bot.send("alice", "!maintenance cancel soon")).singleElement().asString()
                .startsWith("not a maintenance id: \"soon\"");
        assertThat(advance(Duration.ofHours(4))).isEmpty();
        assertThat(sentTo(OPS)).hasSize(2);
        assertThat(bot.send("bob", "!maintenance list")).singleElement().asString()
                .endsWith("cancelled by alice 4h ago, 2 targets");
    }

    @Test
    void aWindowThatIsOverCannotBeCancelled() {
        start();
        bot.send("alice", "!maintenance reboot --at +10m --duration 30m --notify #ops");
        assertThat(advance(Duration.ofMinutes(10))).hasSize(1);
        assertThat(advance(Duration.ofMinutes(30))).containsExactly("Maintenance 1 is over: reboot (10:10–10:40 UTC)");
        assertThat(bot.send("alice", "!maintenance cancel 1")).containsExactly(
                "maintenance 1 is already over (it ended 10:40 UTC)");
        assertThat(sentTo(OPS)).doesNotContain("Maintenance 1 cancelled by alice: reboot (was 10:10–10:40 UTC)");
    }

    @Test
    void listShowsScheduledAndRunningWindowsToAnyone() {
        start();
        assertThat(bot.send("bob", "!maintenance list")).containsExactly("no maintenance scheduled");
        bot.send("alice", UPGRADE);
        bot.send("alice", "!maintenance \"db failover\" --at \"2026-11-22 09:30\" --duration 2h --notify #ops "
                + "--remind 0");
        bot.send("alice", "!maintenance reindex --at +5m --duration 1h30m --notify #ops");
        ticker.advance(Duration.ofMinutes(10));
        assertThat(bot.send("bob", "!maintenance list")).containsExactly(
                "maintenance 3: reindex, 10:05–11:35 UTC, running, ends in 1h 25m, 1 target",
                "maintenance 1: buildbot upgrade, 12:00–13:00 UTC, scheduled, starts in 1h 50m, 2 targets",
                "maintenance 2: db failover, 2026-11-22 09:30–11:30 UTC, scheduled, starts in 23h 20m, 1 target");
    }

    @Test
    void aReminderWhoseTimeHasPassedIsSkippedAndZeroMeansNone() {
        start();
        assertThat(bot.send("alice", "!maintenance patch --at +10m --duration 1h --notify #ops")).last()
                .asString().contains("no reminder (it starts within 15m)");
        assertThat(bot.send("alice", "!maintenance patch2 --at +1h --duration 1h --notify #news --remind 0"))
                .last().asString().contains("; no reminder;");
        advance(Duration.ofMinutes(10));
        advance(Duration.ofHours(1));
        advance(Duration.ofHours(1));
        assertThat(sentTo(OPS)).hasSize(3).noneMatch(t -> t.contains("starts in"));
        assertThat(sentTo(NEWS)).noneMatch(t -> t.contains("starts in")).hasSize(3);
    }

    @Test
    void onlyRelengSchedules() {
        start();
        List<String> answer = bot.send("mallory", "!maintenance x --at +1h --duration 1h --notify #ops");
        assertThat(answer).singleElement().asString().contains("releng");
        assertNothingPersisted();
        assertThat(bot.chat().sent()).allMatch(s -> s.to().equals(ROOM));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "x --at 2026-11-21T09:00Z --duration 1h --notify #ops | is in the past",
        "x --at 2026-11-21T10:00+01:00 --duration 1h --notify #ops | is in the past",
        "x --at tomorrow --duration 1h --notify #ops | not a time: --at \"tomorrow\"",
        "x --at 2026-11-22 18:00 --duration 1h --notify #ops | needs a time too",
        "x --at +2027d --duration 1h --notify #ops | more than a year ahead",
        "x --at +1h --duration 0 --notify #ops | bad --duration",
        "x --at +1h --duration 0m --notify #ops | bad --duration: duration must be more than zero",
        "x --at +1h --duration 8d --notify #ops | --duration is at most 7d, not 8d",
        "x --at +1h --duration 1h --remind soon --notify #ops | bad --remind",
        "x --at +1h --duration 1h --notify #ops irc:#ops | no connector \"irc\"; connectors: chat",
        "x --at +1h --duration 1h --notify #ops Engineering > buildbot | Zulip targets need a Zulip connector",
        "x --at +1h --duration 1h --notify \"two words\" | not an announcement target",
        "--at +1h --duration 1h --notify #ops | missing <title>",
        "x --at +1h --notify #ops | missing --duration D",
        "x --at +1h --duration 1h | missing --notify TARGET...",
    })
    void badInputIsOneLineAndSchedulesNothing(String args, String expected) {
        start();
        List<String> answer = bot.send("alice", "!maintenance " + args);
        assertThat(answer).singleElement().asString().contains(expected);
        assertNothingPersisted();
        assertThat(bot.chat().sent()).allMatch(s -> s.to().equals(ROOM));
    }

    @Test
    void aLongTitleIsRefused() {
        start();
        assertThat(bot.send("alice", "!maintenance " + "x".repeat(201) + " --at +1h --duration 1h --notify #ops"))
                .containsExactly("a maintenance title is at most 200 characters, not 201");
        assertNothingPersisted();
    }

    @Test
    void aJournalThatCannotWriteRefusesAndANoticeWaitsForIt() {
        start();
        journal.failWrites(true);
        assertThat(bot.send("alice", UPGRADE)).singleElement().asString()
                .startsWith("refused: the journal cannot record it");
        assertThat(bot.chat().sent()).allMatch(s -> s.to().equals(ROOM));
        journal.failWrites(false);
        assertNothingPersisted();
        bot.send("alice", UPGRADE);
        journal.failWrites(true);
        assertThat(bot.send("alice", "!maintenance cancel 1")).singleElement().asString()
                .startsWith("refused: the journal cannot record it");
        assertThat(advance(Duration.ofMinutes(105))).isEmpty();    // the reminder cannot be marked: not sent
        journal.failWrites(false);
        assertThat(advance(Duration.ofSeconds(30))).containsOnly(
                "Maintenance 1 starts in 14m (12:00–13:00 UTC): buildbot upgrade").hasSize(2);
    }

    @Test
    void idsAreNeverReusedAcrossRestarts() {
        start();
        bot.send("alice", UPGRADE);
        bot.send("alice", "!maintenance cancel 1");
        advance(Duration.ofDays(2));
        bot.close();
        start();
        assertThat(bot.send("alice", UPGRADE)).last().asString().startsWith("scheduled maintenance 2:");
    }
}
