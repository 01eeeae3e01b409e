package org.buildduty.connectors.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.buildduty.connectors.matrix.MatrixFixture.ALICE;
import static org.buildduty.connectors.matrix.MatrixFixture.ROOM;
import static org.buildduty.connectors.matrix.MatrixFixture.TOKEN;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.buildduty.connectors.testing.FakeMatrixServer;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.metrics.BotMetrics;

/** The send side of the Matrix connector: notices, threads, edits, transaction ids, rate limits, lost answers. */
class MatrixSendTest {
    private static final ChatAddress OPS = ChatAddress.of("matrix", ROOM);

    private MatrixFixture fx;
    private MatrixConnector c;
    private final RecordingListener listener = new RecordingListener();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger("org.buildduty");

    @BeforeEach
    void setUp() throws Exception {
        logs.start();
        root.addAppender(logs);
        fx = new MatrixFixture();
        c = fx.start(listener);
    }

    @AfterEach
    void tearDown() {
        fx.close();
        root.detachAppender(logs);
    }

    @Test
    void botOutputIsANoticeWithAPlainBodyAndMinimalEscapedHtml() {
        MessageRef ref = c.send(OPS, "deploy **done** in `2m`\n<script>&");
        FakeMatrixServer.Sent s = fx.hs.sent().get(0);
        assertThat(ref).isEqualTo(new MessageRef(OPS, s.eventId()));
        assertThat(s.roomId()).isEqualTo(ROOM);
        assertThat(s.type()).isEqualTo("m.room.message");
        JsonNode content = s.content();
        assertThat(content.path("msgtype").asText()).isEqualTo("m.notice");
        assertThat(content.path("body").asText()).isEqualTo("deploy **done** in `2m`\n<script>&");
        assertThat(content.path("format").asText()).isEqualTo("org.matrix.custom.html");
        assertThat(content.path("formatted_body").asText())
                .isEqualTo("deploy <strong>done</strong> in <code>2m</code><br/>&lt;script&gt;&amp;");
        assertThat(content.has("m.relates_to")).isFalse();
    }

    @Test
    void threadsAreRootedAtTheRequestOrTheFirstMessageAndRepliesCarryTheFallback() throws Exception {
        String request = fx.hs.say(ROOM, ALICE, "!run deploy");
        MessageRef status = c.startThread(OPS, "deploy #1", "deploy #1 started", request);
        assertThat(status.address()).isEqualTo(OPS.inThread(request));
        JsonNode rel = fx.hs.sent().get(0).content().path("m.relates_to");
        assertThat(rel.path("rel_type").asText()).isEqualTo("m.thread");
        assertThat(rel.path("event_id").asText()).isEqualTo(request);
        assertThat(rel.path("is_falling_back").asBoolean()).isTrue();
        assertThat(rel.path("m.in_reply_to").path("event_id").asText()).isEqualTo(request);

        MessageRef again = c.startThread(status.address(), "deploy #1", "still in the same thread", "$other");
        assertThat(again.address()).isEqualTo(OPS.inThread(request));
        assertThat(fx.hs.sent().get(1).relatesTo()).isEqualTo(request);

        MessageRef own = c.startThread(OPS, "announce", "a thread of its own", null);
        assertThat(own.address()).isEqualTo(OPS.inThread(own.id()));
        assertThat(fx.hs.sent().get(2).content().has("m.relates_to")).isFalse();
        c.send(own.address(), "second line");
        assertThat(fx.hs.sent().get(3).relType()).isEqualTo("m.thread");
        assertThat(fx.hs.sent().get(3).relatesTo()).isEqualTo(own.id());
    }

    @Test
    void editsReplaceTheOriginalWithNewContentAndNoThreadRelation() throws Exception {
        String request = fx.hs.say(ROOM, ALICE, "!run deploy");
        MessageRef status = c.startThread(OPS, "deploy #1", "deploy #1 [----] 0/4", request);
        c.edit(status, "deploy #1 [##--] 2/4");
        c.edit(status, "deploy #1 [####] 4/4 · succeeded");
        List<FakeMatrixServer.Sent> sent = fx.hs.sent();
        assertThat(sent).hasSize(3);
        for (FakeMatrixServer.Sent edit : sent.subList(1, 3)) {
            assertThat(edit.relType()).isEqualTo("m.replace");
            assertThat(edit.relatesTo()).isEqualTo(status.id());
            assertThat(edit.content().path("m.relates_to").has("m.in_reply_to")).isFalse();
            assertThat(edit.content().path("msgtype").asText()).isEqualTo("m.notice");
            assertThat(edit.body()).startsWith("* deploy #1");
        }
        JsonNode last = sent.get(2).content().path("m.new_content");
        assertThat(last.path("msgtype").asText()).isEqualTo("m.notice");
        assertThat(last.path("body").asText()).isEqualTo("deploy #1 [####] 4/4 · succeeded");
        assertThat(last.has("m.relates_to")).isFalse();
        assertThat(sent).extracting(FakeMatrixServer.Sent::txnId).doesNotHaveDuplicates();
    }

    @Test
    void aRateLimitedSendWaitsRetryAfterAndRepeatsTheSameTransactionId() {
        fx.hs.rateLimitSends(2, 1500);
        MessageRef ref = c.send(OPS, "hello");
        assertThat(fx.sleeper.waits).containsExactly(Duration.ofMillis(1500), Duration.ofMillis(1500));
        assertThat(fx.hs.sendAttempts()).hasSize(3).containsOnly(fx.hs.sent().get(0).txnId());
        assertThat(fx.hs.sent()).hasSize(1);
        assertThat(ref.id()).isEqualTo(fx.hs.sent().get(0).eventId());

        c.send(OPS, "next");
        assertThat(fx.hs.sent()).extracting(FakeMatrixServer.Sent::txnId).doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void aRetryAfterHeaderWithAFractionOrADateIsReadLikeTheOtherClients() {
        fx.hs.rateLimitSends(1, 1500, "0.75");
        c.send(OPS, "fraction");
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(fx.ticker.now().plusSeconds(12)
                .atOffset(ZoneOffset.UTC));
        fx.hs.rateLimitSends(1, 1500, date);
        c.send(OPS, "date");
        fx.hs.rateLimitSends(1, 1500, "2");
        c.send(OPS, "seconds");
        assertThat(fx.sleeper.waits).containsExactly(Duration.ofMillis(750), Duration.ofSeconds(12),
                Duration.ofSeconds(2));
    }

    @Test
    void metersCountAcceptedSendsAndEditsAndEachRateLimitWait() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        c.useMeters(new BotMetrics(registry).connector("matrix"));
        fx.hs.rateLimitSends(1, 1500);
        MessageRef ref = c.send(OPS, "hello");
        Timer waits = registry.get("buildduty.ratelimit.waits").tag("connector", "matrix").timer();
        assertThat(waits.count()).isEqualTo(1);
        assertThat(waits.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1500);
        assertThat(sent(registry)).as("the 429 is not a message sent").isEqualTo(1);

        c.edit(ref, "hello, edited");
        assertThat(sent(registry)).isEqualTo(2);
        fx.hs.revokeToken();
        assertThatThrownBy(() -> c.send(OPS, "refused")).isInstanceOf(MatrixException.class);
        assertThat(sent(registry)).as("a refused send is not counted").isEqualTo(2);
        assertThat(waits.count()).isEqualTo(1);
    }

    private static double sent(SimpleMeterRegistry registry) {
        return registry.get("buildduty.messages.sent").tag("connector", "matrix").counter().count();
    }

    @Test
    void aLostAnswerIsRetriedWithTheSameTransactionIdAndPostsOnce() {
        fx.hs.dropSendResponses(1);
        MessageRef ref = c.send(OPS, "exactly once");
        assertThat(fx.hs.sent()).singleElement().satisfies(s -> {
            assertThat(s.body()).isEqualTo("exactly once");
            assertThat(ref.id()).isEqualTo(s.eventId());
        });
        assertThat(fx.hs.sendAttempts()).hasSize(2).containsOnly(fx.hs.sent().get(0).txnId());
    }

    @Test
    void theTokenIsNeverInAUrlOrALogLine() throws Exception {
        fx.hs.rateLimitSends(1, 10);
        fx.hs.dropSendResponses(1);
        c.send(OPS, "one");
        fx.hs.dropSyncs(1);
        fx.hs.say(ROOM, ALICE, "!ping");
        fx.settle();
        fx.hs.revokeToken();
        listener.state(ConnectionChanged.State.FAILED);   // the held poll answers 401 M_UNKNOWN_TOKEN, logged
        assertThat(fx.hs.requests()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.target()).doesNotContain(TOKEN).doesNotContain("access_token");
            assertThat(r.target()).doesNotContain("!ops:").doesNotContain("$");   // ids are percent-encoded
        });
        assertThat(logs.list).isNotEmpty().noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains(TOKEN));
        assertThat(String.valueOf(fx.config().build())).doesNotContain(TOKEN);
    }

    @Test
    void takesRoomIdsAndJoinedAliasesOfItsOwnConnector() throws Exception {
        fx.close();
        fx = new MatrixFixture();
        fx.hs.createRoom("!releng:fake.test", 4).alias("#releng:fake.test", "!releng:fake.test");
        c = fx.start(new RecordingListener(), b -> b.rooms(List.of(ROOM, "#releng:fake.test")));
        assertThat(c.takes(ChatAddress.of("matrix", "!any:example.org"))).isTrue();
        assertThat(c.takes(new ChatAddress("matrix", ROOM, "$root"))).isTrue();
        assertThat(c.takes(ChatAddress.of("matrix", "#releng:fake.test"))).isTrue();
        assertThat(c.takes(ChatAddress.of("matrix", "#unknown:fake.test"))).isFalse();
        assertThat(c.takes(ChatAddress.of("irc", ROOM))).isFalse();
        assertThat(c.takes(ChatAddress.of("matrix", "#releng"))).isFalse();
        c.send(ChatAddress.of("matrix", "#releng:fake.test"), "by alias");
        assertThat(fx.hs.sent()).singleElement().extracting(FakeMatrixServer.Sent::roomId)
                .isEqualTo("!releng:fake.test");
        assertThat(c.capabilities().edits()).isTrue();
        assertThat(c.capabilities().threads()).isTrue();
        assertThat(c.capabilities().liveOutput()).isFalse();
    }
}
