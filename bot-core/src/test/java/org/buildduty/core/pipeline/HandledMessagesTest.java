package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;

/** The records of handled messages: one write each, read back at start, pruned by age and count from the oldest. */
class HandledMessagesTest {
    private final InMemoryJournal journal = new InMemoryJournal();
    private final FakeTicker ticker = new FakeTicker();

    private ChatMessage message(String id) {
        return new ChatMessage(ChatAddress.of("matrix", "!ops:x"), new Identity("matrix", "@alice:x"), "alice",
                "!deploy", false, ticker.now(), id);
    }

    @Test
    void aMessageIsFirstOnceAndTheRecordSurvivesARestart() {
        HandledMessages handled = new HandledMessages(journal, ticker);
        assertThat(handled.first(message("$a:x"))).isTrue();
        assertThat(handled.first(message("$a:x"))).isFalse();
        assertThat(journal.states(HandledMessages.KIND))
                .containsExactlyEntriesOf(Map.of("matrix:$a:x", "{\"at\":\"" + ticker.now() + "\"}"));

        HandledMessages after = new HandledMessages(journal, ticker);
        after.restore();
        assertThat(after.first(message("$a:x"))).isFalse();
        assertThat(after.first(message("$b:x"))).isTrue();
        assertThat(after.first(message(null))).isTrue();
        assertThat(after.first(message(null))).isTrue();
        assertThat(journal.states(HandledMessages.KIND)).hasSize(2);
    }

    @Test
    void beyondTheMaximumTheOldestGoFirstAfterARestoreToo() {
        HandledMessages handled = new HandledMessages(journal, ticker, Duration.ofDays(7), 3);
        for (String id : new String[] {"e", "d", "c", "b", "a"}) {
            handled.first(message(id));
            ticker.advance(Duration.ofSeconds(1));
        }
        HandledMessages after = new HandledMessages(journal, ticker, Duration.ofDays(7), 3);
        after.restore();
        after.prune();
        assertThat(journal.states(HandledMessages.KIND)).containsOnlyKeys("matrix:c", "matrix:b", "matrix:a");
        assertThat(after.size()).isEqualTo(3);
        assertThat(after.first(message("c"))).isFalse();
        assertThat(after.first(message("e"))).isTrue();
    }

    @Test
    void oneTickPrunesABoundedNumberAndALaterTickTheRest() {
        HandledMessages handled = new HandledMessages(journal, ticker);
        int many = HandledMessages.PRUNE_PER_TICK + 20;
        for (int i = 0; i < many; i++) {
            handled.first(message("m" + i));
        }
        ticker.advance(HandledMessages.RETENTION.plusSeconds(1));
        handled.prune();
        assertThat(journal.states(HandledMessages.KIND)).hasSize(20);
        handled.prune();
        assertThat(journal.states(HandledMessages.KIND)).isEmpty();
    }

    @Test
    void aJournalThatCannotWriteRefusesAndRemembersNothingAndPruningWaits() {
        HandledMessages handled = new HandledMessages(journal, ticker);
        handled.first(message("old"));
        ticker.advance(Duration.ofDays(8));
        journal.failWrites(true);
        assertThatThrownBy(() -> handled.first(message("new"))).isInstanceOf(JournalException.class);
        handled.prune();
        assertThat(handled.size()).isEqualTo(1);
        journal.failWrites(false);
        assertThat(handled.first(message("new"))).isTrue();
        handled.prune();
        assertThat(journal.states(HandledMessages.KIND)).containsOnlyKeys("matrix:new");
    }

    @Test
    void anUnreadableRecordIsKeptAsHandledNow() {
        journal.putState(HandledMessages.KIND, "matrix:odd", "not json");
        HandledMessages handled = new HandledMessages(journal, ticker);
        handled.restore();
        assertThat(handled.first(message("odd"))).isFalse();
        ticker.advance(Duration.ofDays(6));
        handled.prune();
        assertThat(handled.size()).isEqualTo(1);
    }
}
