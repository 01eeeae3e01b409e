package org.buildduty.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.testing.FakeTicker;

class RoomPublisherTest {
    private static final ChatAddress ROOM = ChatAddress.of("irc", "#releng");
    private static final Duration STATUS_EVERY = Duration.ofSeconds(60);
    private static final OperationId OP = new OperationId(17);
    private static final Capabilities EDITS = new Capabilities(true, false, 4000, 5, Duration.ofSeconds(1), false);

    private final FakeTicker ticker = new FakeTicker();
    private final FakeConnector irc = FakeConnector.ircLike("irc", ticker);

    private RoomPublisher publisher(FakeConnector c) {
        return new RoomPublisher(c, ROOM, ticker, Redactor.NONE, STATUS_EVERY);
    }

    private static List<String> numbered(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    /** Advances a second at a time, draining, until nothing is left (at most {@code max} seconds). */
    private void flush(RoomPublisher p, int max) {
        for (int i = 0; i < max && p.backlog() > 0; i++) {
            ticker.advance(Duration.ofSeconds(1));
            p.drain();
        }
        assertThat(p.backlog()).as("backlog after %ds", max).isZero();
    }

    @Test
    void burstThenOneMessageASecond() {
        RoomPublisher p = publisher(irc);
        List<String> lines = numbered("line ", 20);
        lines.forEach(l -> p.line(OP, l));
        assertThat(irc.texts()).containsExactlyElementsOf(lines.subList(0, 5));
        assertThat(p.backlog()).isEqualTo(15);
        assertThat(p.drain()).isZero();

        ticker.advance(Duration.ofMillis(999));
        assertThat(p.drain()).isZero();
        ticker.advance(Duration.ofMillis(1));
        assertThat(p.drain()).isEqualTo(1);
        assertThat(irc.texts()).containsExactlyElementsOf(lines.subList(0, 6));

        for (int s = 7; s <= 20; s++) {
            ticker.advance(Duration.ofSeconds(1));
            assertThat(p.drain()).isEqualTo(1);
            assertThat(irc.texts()).hasSize(s);
        }
        assertThat(irc.texts()).containsExactlyElementsOf(lines);
        assertThat(irc.sent()).allSatisfy(s -> assertThat(s.to()).isEqualTo(ROOM));
        assertThat(p.backlog()).isZero();
    }

    @Test
    void aLongPauseRefillsOnlyUpToTheBurst() {
        RoomPublisher p = publisher(irc);
        numbered("line ", 20).forEach(l -> p.line(OP, l));
        ticker.advance(Duration.ofMinutes(10));
        assertThat(p.drain()).isEqualTo(5);
        assertThat(irc.texts()).hasSize(10);
    }

    @Test
    void terminalHasNoRateLimit() {
        FakeConnector console = new FakeConnector("console", Capabilities.terminal(), ticker);
        RoomPublisher p = publisher(console);
        numbered("line ", 15).forEach(l -> p.line(OP, l));
        assertThat(console.texts()).hasSize(15);
        assertThat(p.backlog()).isZero();
    }

    @Test
    void statusUpdatesAreCoalescedToTheNewest() {
        RoomPublisher p = publisher(irc);
        numbered("line ", 5).forEach(l -> p.line(OP, l));
        irc.clear();
        for (int i = 0; i < 10; i++) {
            p.status(OP, "status " + i);
        }
        assertThat(irc.texts()).isEmpty();
        assertThat(p.backlog()).isEqualTo(1);
        ticker.advance(Duration.ofSeconds(1));
        assertThat(p.drain()).isEqualTo(1);
        assertThat(irc.texts()).containsExactly("status 9");
        ticker.advance(Duration.ofSeconds(30));
        assertThat(p.drain()).isZero();
        assertThat(irc.texts()).containsExactly("status 9");
    }

    @Test
    void statusIsSentAtMostOncePerInterval() {
        RoomPublisher p = publisher(irc);
        p.status(OP, "s0");
        assertThat(irc.texts()).containsExactly("s0");
        for (int i = 1; i < 10; i++) {
            ticker.advance(Duration.ofSeconds(5));
            p.status(OP, "s" + i);
        }
        assertThat(irc.texts()).containsExactly("s0");
        ticker.advance(Duration.ofSeconds(14));
        assertThat(p.drain()).isZero();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(p.drain()).isEqualTo(1);
        assertThat(irc.texts()).containsExactly("s0", "s9");
        p.status(OP, "s10");
        assertThat(irc.texts()).containsExactly("s0", "s9");
        assertThat(p.backlog()).isEqualTo(1);
    }

    @Test
    void statusesOfDifferentKeysAreKeptApart() {
        RoomPublisher p = publisher(irc);
        p.status(OP, "a1");
        p.status(new OperationId(18), "b1");
        p.status(OP, "a2");
        p.status(new OperationId(18), "b2");
        assertThat(irc.texts()).containsExactly("a1", "b1");
        ticker.advance(STATUS_EVERY);
        p.drain();
        assertThat(irc.texts()).containsExactly("a1", "b1", "a2", "b2");
    }

    @Test
    void notableLinesGoBeforeAPendingStatus() {
        RoomPublisher p = publisher(irc);
        numbered("line ", 7).forEach(l -> p.line(OP, l));
        p.status(OP, "status");
        ticker.advance(Duration.ofSeconds(1));
        p.drain();
        assertThat(irc.texts()).last().isEqualTo("line 6");
        ticker.advance(Duration.ofSeconds(1));
        p.drain();
        ticker.advance(Duration.ofSeconds(1));
        p.drain();
        assertThat(irc.texts()).endsWith("line 7", "status");
    }

    @Test
    void editsCapableChatEditsTheStatusInPlace() {
        FakeConnector matrix = new FakeConnector("matrix", EDITS, ticker);
        RoomPublisher p = new RoomPublisher(matrix, ROOM, ticker, Redactor.NONE, Duration.ofSeconds(3));
        p.status(OP, "s1");
        ticker.advance(Duration.ofSeconds(3));
        p.status(OP, "s2");
        ticker.advance(Duration.ofSeconds(1));
        p.status(OP, "s3");
        ticker.advance(Duration.ofSeconds(2));
        p.drain();
        p.finish(OP, "final status", List.of("final line"));
        List<FakeConnector.Sent> sent = matrix.sent();
        assertThat(sent).extracting(FakeConnector.Sent::text)
                .containsExactly("s1", "s2", "s3", "final status", "final line");
        String statusId = sent.get(0).id();
        assertThat(sent.get(0).editOf()).isNull();
        assertThat(sent.subList(1, 4)).allSatisfy(s -> assertThat(s.editOf()).isEqualTo(statusId));
        assertThat(sent.get(4).editOf()).isNull();
        assertThat(sent.get(4).id()).isNotEqualTo(statusId);
    }

    @Test
    void editsCapableChatStillSendsANewMessagePerKey() {
        FakeConnector matrix = new FakeConnector("matrix", EDITS, ticker);
        RoomPublisher p = new RoomPublisher(matrix, ROOM, ticker, Redactor.NONE, Duration.ofSeconds(3));
        p.status(OP, "a");
        p.status(new OperationId(18), "b");
        assertThat(matrix.sent()).extracting(FakeConnector.Sent::editOf).containsExactly(null, null);
        assertThat(matrix.sent().get(0).id()).isNotEqualTo(matrix.sent().get(1).id());
    }

    @Test
    void finishWithoutEditsSendsTheStatusAsANewLine() {
        RoomPublisher p = publisher(irc);
        p.status(OP, "running");
        p.status(OP, "still running");
        p.finish(OP, "done", List.of("summary"));
        flush(p, 10);
        assertThat(irc.texts()).containsExactly("running", "done", "summary");
        assertThat(irc.sent()).allSatisfy(s -> assertThat(s.editOf()).isNull());
    }

    @Test
    void backlogOverTheLimitIsCountedAndSummarisedAtTheEnd() {
        RoomPublisher p = publisher(irc);
        List<String> lines = numbered("line ", 30);
        lines.forEach(l -> p.line(OP, l));
        assertThat(irc.texts()).hasSize(5);
        assertThat(p.backlog()).isEqualTo(RoomPublisher.MAX_BACKLOG);
        p.finish(OP, "reconfig #17 failed", List.of("summary", "tail"));
        flush(p, 60);
        List<String> expected = new ArrayList<>(lines.subList(0, 25));
        expected.add("#17: 5 more lines not shown here (see the full log)");
        expected.add("reconfig #17 failed");
        expected.add("summary");
        expected.add("tail");
        assertThat(irc.texts()).containsExactlyElementsOf(expected);
    }

    @Test
    void droppedCountIsPerKey() {
        RoomPublisher p = publisher(irc);
        numbered("a", 25).forEach(l -> p.line(OP, l));
        p.line(new OperationId(18), "b1");
        p.line(new OperationId(18), "b2");
        p.finish(new OperationId(18), "b done", List.of());
        p.finish(OP, "a done", List.of());
        flush(p, 60);
        assertThat(irc.texts()).endsWith("#18: 2 more lines not shown here (see the full log)", "b done",
                "a done");
        assertThat(irc.texts()).noneMatch(t -> t.startsWith("#17:"));
    }

    @Test
    void finishAndReplyLinesAreNeverDropped() {
        RoomPublisher p = publisher(irc);
        numbered("line ", 27).forEach(l -> p.line(OP, l));
        List<String> answers = numbered("answer ", 30);
        p.reply(answers);
        List<String> finals = numbered("final ", 30);
        p.finish(OP, "status", finals);
        assertThat(irc.texts()).containsSubsequence(answers);
        assertThat(p.backlog()).isEqualTo(20 + 1 + 1 + 30);
        flush(p, 200);
        assertThat(irc.texts()).containsSubsequence(answers).containsSubsequence(finals)
                .contains("status", "#17: 2 more lines not shown here (see the full log)")
                .hasSize(5 + 20 + 30 + 1 + 1 + 30);
    }

    @Test
    void answersGoOutAtOnceWhenTheBudgetIsSpentAndProgressYieldsToThem() {
        RoomPublisher p = publisher(irc);
        numbered("line ", 7).forEach(l -> p.line(OP, l));
        assertThat(irc.texts()).hasSize(5);
        p.reply(List.of("you are irc:alice", "roles: releng"));
        assertThat(irc.texts()).endsWith("line 5", "you are irc:alice", "roles: releng");
        ticker.advance(Duration.ofSeconds(2));
        assertThat(p.drain()).isZero();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(p.drain()).isEqualTo(1);
        assertThat(irc.texts()).last().isEqualTo("line 6");

        irc.failSends(true);
        p.reply(List.of("kept"));
        assertThat(p.queuedLines()).isEqualTo(2);
        irc.failSends(false);
        flush(p, 10);
        assertThat(irc.texts()).endsWith("line 7", "kept");
    }

    @Test
    void aFailingSendKeepsTheMessageQueuedUntilRecovery() {
        RoomPublisher p = publisher(irc);
        irc.failSends(true);
        p.line(OP, "first");
        p.line(OP, "second");
        p.status(OP, "status");
        assertThat(irc.texts()).isEmpty();
        assertThat(p.backlog()).isEqualTo(3);
        ticker.advance(Duration.ofSeconds(10));
        assertThat(p.drain()).isZero();
        assertThat(p.backlog()).isEqualTo(3);

        irc.failSends(false);
        assertThat(p.drain()).isEqualTo(3);
        assertThat(irc.texts()).containsExactly("first", "second", "status");
        assertThat(p.backlog()).isZero();
    }

    @Test
    void aFailingStatusSendIsRetried() {
        RoomPublisher p = publisher(irc);
        irc.failSends(true);
        p.status(OP, "s1");
        p.status(OP, "s2");
        irc.failSends(false);
        p.drain();
        assertThat(irc.texts()).containsExactly("s2");
    }

    @Test
    void redactorAppliesToEverySentAndEditedText() {
        Redactor redactor = new Redactor(List.of("hunter22", "tok-abcdef"));
        FakeConnector matrix = new FakeConnector("matrix", EDITS, ticker);
        RoomPublisher p = new RoomPublisher(matrix, ROOM, ticker, redactor, Duration.ofSeconds(3));
        p.line(OP, "password hunter22 leaked");
        p.status(OP, "status tok-abcdef");
        ticker.advance(Duration.ofSeconds(3));
        p.status(OP, "status2 hunter22");
        p.reply(List.of("answer tok-abcdef"));
        p.finish(OP, "final hunter22", List.of("last tok-abcdef line"));
        flush(p, 10);
        assertThat(matrix.sent()).extracting(FakeConnector.Sent::text).containsExactly(
                "password *** leaked", "status ***", "status2 ***", "answer ***", "final ***", "last *** line");
        assertThat(matrix.sent().get(2).editOf()).isNotNull();
        assertThat(matrix.sent().get(4).editOf()).isNotNull();

        RoomPublisher plain = new RoomPublisher(irc, ROOM, ticker, redactor, STATUS_EVERY);
        plain.line(OP, "x hunter22");
        plain.status(OP, "y tok-abcdef");
        plain.reply(List.of("z hunter22"));
        plain.finish(OP, "w tok-abcdef", List.of());
        flush(plain, 10);
        assertThat(irc.texts()).containsExactly("x ***", "y ***", "z ***", "w ***");
    }

    @Test
    void exposesRoomAndCapabilities() {
        RoomPublisher p = publisher(irc);
        assertThat(p.room()).isEqualTo(ROOM);
        assertThat(p.capabilities()).isEqualTo(irc.capabilities());
    }
}
