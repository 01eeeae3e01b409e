package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.operation.OperationId;
import org.buildduty.core.testing.FakeExecutor;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;
import org.buildduty.core.testing.TestBot;

/**
 * A message with the chat's id (a Matrix event, a Zulip message) that the bot ran as a command is not run again when
 * a connector delivers it again, as after a restart or a standby's takeover from a position stored before it.
 */
class ReplayedMessagesTest {
    /** The state-record kind of handled messages, a journal contract. */
    private static final String KIND = "chat.handled";

    private final FakeExecutor fake = new FakeExecutor("fake");
    private final InMemoryJournal journal = new InMemoryJournal();
    private final FakeTicker ticker = new FakeTicker();
    private TestBot bot;

    @AfterEach
    void stop() {
        if (bot != null) {
            bot.close();
        }
    }

    private TestBot start() {
        bot = TestBot.builder().journal(journal).ticker(ticker).commands(EngineTest::commands).executor(fake)
                .role("releng", "alice", "bob", "carol").build();
        return bot;
    }

    private void restart() {
        bot.close();
        start();
        bot.settle();
    }

    @Test
    void aCommandDeliveredAgainAfterARestartIsNeitherRunNorAnswered() {
        start();
        assertThat(bot.sendWithId("alice", "!quick", "$ev1")).first().asString().startsWith("quick #1 started");
        bot.awaitLine("quick #1 [############] 2/2 hosts · succeeded", Duration.ofSeconds(10));
        int calls = fake.calls().size();

        restart();
        assertThat(bot.sendWithId("alice", "!quick", "$ev1")).isEmpty();
        assertThat(journal.operation(new OperationId(2))).isEmpty();
        assertThat(fake.calls()).hasSize(calls);
        assertThat(bot.sendWithId("alice", "!quick", "$ev2")).first().asString().startsWith("quick #2 started");
    }

    @Test
    void anAnswerIsNotGivenTwiceForTheSameMessageEvenWithoutARestart() {
        start();
        assertThat(bot.sendWithId("alice", "!echo hi", "$ev1")).containsExactly("hi");
        assertThat(bot.sendWithId("alice", "!echo hi", "$ev1")).isEmpty();
        restart();
        assertThat(bot.sendWithId("alice", "!echo hi", "$ev1")).isEmpty();
        assertThat(bot.sendWithId("alice", "!echo hi", "$ev2")).containsExactly("hi");
    }

    @Test
    void theSameIdOnAnotherConnectorIsAnotherMessage() {
        start();
        assertThat(bot.sendWithId("alice", "!echo hi", "42")).containsExactly("hi");
        assertThat(journal.states(KIND)).containsOnlyKeys(TestBot.CHAT + ":42");
    }

    @Test
    void messagesWithoutAnIdAreEachHandledAndNotRecorded() {
        start();
        assertThat(bot.send("alice", "!echo hi")).containsExactly("hi");
        assertThat(bot.send("alice", "!echo hi")).containsExactly("hi");
        assertThat(journal.states(KIND)).isEmpty();
    }

    @Test
    void chatterUnknownCommandsAndRefusedCallersAreNotRecorded() {
        start();
        assertThat(bot.sendWithId("alice", "lunch at noon?", "$ev1")).isEmpty();
        assertThat(bot.sendWithId("alice", "!", "$ev2")).isEmpty();
        assertThat(bot.sendWithId("alice", "!nosuch", "$ev4")).singleElement().asString().contains("nosuch");
        assertThat(bot.sendWithId("dave", "!deploy", "$ev5")).singleElement().asString().startsWith("not allowed");
        assertThat(journal.states(KIND)).isEmpty();
        assertThat(bot.sendWithId("alice", "!echo hi", "$ev3")).containsExactly("hi");
        assertThat(journal.states(KIND)).containsOnlyKeys(TestBot.CHAT + ":$ev3");
    }

    @Test
    void aJournalThatCannotRecordTheMessageRefusesTheCommandInOneLine() {
        start();
        journal.failWrites(true);
        List<String> refused = bot.sendWithId("alice", "!echo hi", "$ev1");
        assertThat(refused).singleElement().asString().startsWith("refused: the journal cannot record it (")
                .endsWith("); nothing was run");
        assertThat(bot.send("alice", "!echo no id")).as("a message without an id needs no record")
                .containsExactly("no id");
        journal.failWrites(false);
        assertThat(bot.sendWithId("alice", "!echo hi", "$ev1")).as("not recorded, so not handled before")
                .containsExactly("hi");
    }

    @Test
    void recordsOlderThanSevenDaysArePrunedOnTheTick() {
        start();
        bot.sendWithId("alice", "!echo old", "$old");
        ticker.advance(Duration.ofDays(6));
        bot.sendWithId("alice", "!echo new", "$new");
        bot.engine().tick();
        assertThat(journal.states(KIND)).containsOnlyKeys(TestBot.CHAT + ":$old", TestBot.CHAT + ":$new");

        ticker.advance(Duration.ofDays(1).plusMinutes(1));
        bot.engine().tick();
        assertThat(journal.states(KIND)).containsOnlyKeys(TestBot.CHAT + ":$new");
        assertThat(bot.sendWithId("alice", "!echo new", "$new")).isEmpty();

        restart();
        ticker.advance(Duration.ofDays(6));
        bot.engine().tick();
        assertThat(journal.states(KIND)).isEmpty();
    }
}
