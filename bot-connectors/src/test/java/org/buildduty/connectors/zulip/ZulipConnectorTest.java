package org.buildduty.connectors.zulip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.buildduty.connectors.testing.FakeZulipServer;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;

/** Receiving: the event queue loop against the fake server over real HTTP. */
class ZulipConnectorTest {
    private static final String KEY = "s3cr3t-api-key-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingSleeper sleeper = new RecordingSleeper();
    private final List<ZulipConnector> connectors = new ArrayList<>();
    private FakeZulipServer server;

    @BeforeEach
    void start() throws Exception {
        server = FakeZulipServer.start("bot@example.com", KEY, "buildduty", ticker);
        server.heartbeatAfter(Duration.ofMillis(100));
        server.addUser("alice@example.com", "Alice Adams");
        server.addUser("bob@example.com", "Bob Brown");
        server.addStream("ops");
        server.addStream("random");
    }

    @AfterEach
    void stop() throws Exception {
        connectors.forEach(ZulipConnector::close);
        server.close();
    }

    private ZulipConnector connector(String key, LastMessageStore store) {
        ZulipConnector c = new ZulipConnector(ZulipConfig.of("zulip", server.site(), "bot@example.com", key,
                List.of("ops")), store, ticker, sleeper);
        connectors.add(c);
        return c;
    }

    private RecordingListener started(ZulipConnector c) {
        RecordingListener events = new RecordingListener();
        c.start(events);
        c.awaitConnected(WAIT);
        return events;
    }

    @Test
    void streamAndPrivateMessagesBecomeChatMessagesAfterHeartbeats() throws Exception {
        server.subscribeBot("ops");
        server.postStream("alice@example.com", "ops", "old", "!whoami from history");
        ZulipConnector zulip = connector(KEY, LastMessageStore.memory());
        RecordingListener events = started(zulip);
        long polls = System.nanoTime() + WAIT.toNanos();
        while (server.calls().stream().filter(c -> c.path().endsWith("/events")).count() < 3
                && System.nanoTime() < polls) {
            Thread.sleep(20);
        }
        assertThat(server.calls().stream().filter(c -> c.path().endsWith("/events")).count())
                .as("polls answered with heartbeats").isGreaterThanOrEqualTo(3);

        long stream = server.postStream("alice@example.com", "ops", "deploys", "!whoami");
        long pm = server.postPrivate("bob@example.com", "status");
        server.postStream("alice@example.com", "random", "x", "!whoami in a stream not configured");
        long mention = server.postStream("alice@example.com", "ops", "deploys", "@**buildduty** whoami");
        zulip.send(new ChatAddress("zulip", "ops", "deploys"), "the bot's own line");
        long last = server.postStream("bob@example.com", "ops", "deploys", "last");

        events.message(m -> m.messageId().equals(Long.toString(last)));
        List<ChatMessage> got = events.messages();
        assertThat(got).extracting(ChatMessage::messageId).containsExactly(Long.toString(stream), Long.toString(pm),
                Long.toString(mention), Long.toString(last));
        ChatMessage s = got.get(0);
        assertThat(s.room()).isEqualTo(new ChatAddress("zulip", "ops", "deploys"));
        assertThat(s.sender()).isEqualTo(new Identity("zulip", "alice@example.com"));
        assertThat(s.senderName()).isEqualTo("Alice Adams");
        assertThat(s.text()).isEqualTo("!whoami");
        assertThat(s.direct()).isFalse();
        ChatMessage p = got.get(1);
        assertThat(p.room()).isEqualTo(ChatAddress.of("zulip", "bob@example.com"));
        assertThat(p.sender().toString()).isEqualTo("zulip:bob@example.com");
        assertThat(p.direct()).isTrue();
        assertThat(got.get(2).text()).isEqualTo("whoami");
        assertThat(got.get(2).direct()).as("a leading mention addresses the bot").isTrue();
        assertThat(zulip.healthy()).isTrue();
    }

    @Test
    void aLostQueueIsRegisteredAgainWithoutLossOrReplay() throws Exception {
        server.subscribeBot("ops");
        ZulipConnector zulip = connector(KEY, LastMessageStore.memory());
        RecordingListener events = started(zulip);
        long m1 = server.postStream("alice@example.com", "ops", "t", "one");
        events.message(m -> m.text().equals("one"));

        long[] gap = new long[2];
        server.dropQueues(() -> {
            gap[0] = server.postStream("alice@example.com", "ops", "t", "two");
            gap[1] = server.postPrivate("bob@example.com", "three");
        });
        events.message(m -> m.text().equals("three"));
        long m4 = server.postStream("alice@example.com", "ops", "t", "four");
        events.message(m -> m.text().equals("four"));

        assertThat(server.registrations()).isEqualTo(2);
        assertThat(events.messages()).extracting(ChatMessage::messageId).containsExactly(Long.toString(m1),
                Long.toString(gap[0]), Long.toString(gap[1]), Long.toString(m4));
        assertThat(server.calls()).anySatisfy(c -> {
            assertThat(c.path()).isEqualTo("/api/v1/messages");
            assertThat(c.url()).contains("anchor=" + m1);
        });
    }

    @Test
    void aRestartNeitherReplaysNorLosesAndSkipsStaleMissedMessages() throws Exception {
        server.subscribeBot("ops");
        InMemoryJournal journal = new InMemoryJournal();
        LastMessageStore store = LastMessageStore.journal(journal);
        ZulipConnector first = connector(KEY, store);
        RecordingListener before = started(first);
        long m1 = server.postStream("alice@example.com", "ops", "t", "!run deploy");
        before.message(m -> m.text().equals("!run deploy"));
        first.close();
        assertThat(journal.states(LastMessageStore.KIND)).containsEntry("zulip", "{\"message_id\":" + m1 + "}");

        long m2 = server.postStream("alice@example.com", "ops", "t", "sent while the bot was away");
        RecordingListener after = started(connector(KEY, store));
        long m3 = server.postStream("alice@example.com", "ops", "t", "after");
        after.message(m -> m.text().equals("after"));
        assertThat(after.messages()).extracting(ChatMessage::messageId)
                .containsExactly(Long.toString(m2), Long.toString(m3));

        connectors.get(1).close();
        server.postStream("alice@example.com", "ops", "t", "long ago");
        ticker.advance(Duration.ofMinutes(11));
        RecordingListener later = started(connector(KEY, store));
        server.postStream("alice@example.com", "ops", "t", "now");
        later.message(m -> m.text().equals("now"));
        assertThat(later.messages()).extracting(ChatMessage::text).containsExactly("now");
    }

    @Test
    void aRefusedApiKeyFailsWithOneClearLineAndStops() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        try {
            ZulipConnector zulip = connector("wrong-key-0000", LastMessageStore.memory());
            RecordingListener events = new RecordingListener();
            zulip.start(events);
            assertThatThrownBy(() -> zulip.awaitConnected(WAIT)).isInstanceOf(BuilddutyException.class)
                    .hasMessageContaining("INVALID_API_KEY").hasMessageContaining("Invalid API key")
                    .hasMessageContaining("bot@example.com").hasMessageNotContaining("\n")
                    .hasMessageNotContaining("wrong-key-0000");
            ConnectionChanged failed = events.state(ConnectionChanged.State.FAILED);
            assertThat(failed.detail()).contains("Zulip refused the bot's credentials");
            assertThat(zulip.healthy()).isFalse();
            int calls = server.calls().size();
            Thread.sleep(200);
            assertThat(server.calls()).as("the loop stopped").hasSize(calls)
                    .allSatisfy(c -> assertThat(c.path()).isEqualTo("/api/v1/users/me"));

            server.subscribeBot("ops");
            RecordingListener good = started(connector(KEY, LastMessageStore.memory()));
            server.postStream("alice@example.com", "ops", "t", "hi");
            good.message(m -> m.text().equals("hi"));
        } finally {
            root.detachAppender(logs);
        }
        assertThat(server.calls()).isNotEmpty().allSatisfy(c -> {
            assertThat(c.url()).doesNotContain(KEY).doesNotContain("wrong-key-0000");
            assertThat(c.body()).doesNotContain(KEY);
            assertThat(c.authorization()).startsWith("Basic ");
        });
        assertThat(logs.list).isNotEmpty().allSatisfy(e -> assertThat(e.getFormattedMessage())
                .doesNotContain(KEY).doesNotContain("wrong-key-0000"));
    }

    @Test
    void rateLimitsAreWaitedOutForTheServersFloatRetryAfter() throws Exception {
        server.subscribeBot("ops");
        server.rateLimitNext(2, 1.75);
        ZulipConnector zulip = connector(KEY, LastMessageStore.memory());
        RecordingListener events = started(zulip);
        assertThat(sleeper.waits).containsExactly(Duration.ofMillis(1750), Duration.ofMillis(1750));
        server.postStream("alice@example.com", "ops", "t", "hello");
        events.message(m -> m.text().equals("hello"));
        assertThat(events.all).noneMatch(e -> e instanceof ConnectionChanged c
                && c.state() == ConnectionChanged.State.RECONNECTING);
    }

    @Test
    void theEventsLoopCountsEachRateLimitWait() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        server.subscribeBot("ops");
        server.rateLimitNext(2, 1.75);
        ZulipConnector zulip = connector(KEY, LastMessageStore.memory());
        zulip.useMeters(new BotMetrics(registry).connector("zulip"));
        RecordingListener events = started(zulip);
        server.postStream("alice@example.com", "ops", "t", "hello");
        events.message(m -> m.text().equals("hello"));
        Timer waits = registry.get("buildduty.ratelimit.waits").tag("connector", "zulip").timer();
        assertThat(waits.count()).isEqualTo(2);
        assertThat(waits.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3500);
        assertThat(registry.get("buildduty.messages.sent").tag("connector", "zulip").counter().count()).isZero();
    }

    @Test
    void serverErrorsAreRetriedWithBackoffAndReportedAsReconnecting() throws Exception {
        server.subscribeBot("ops");
        ZulipConnector zulip = connector(KEY, LastMessageStore.memory());
        RecordingListener events = started(zulip);
        server.failNext(3, 502);
        server.dropQueues();
        ConnectionChanged reconnecting = events.state(ConnectionChanged.State.RECONNECTING);
        assertThat(reconnecting.detail()).startsWith("HTTP 502: unexpected answer").contains("retrying in 1000 ms");
        server.postStream("alice@example.com", "ops", "t", "back");
        events.message(m -> m.text().equals("back"));
        assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(events.all.get(events.all.size() - 2)).isInstanceOf(ConnectionChanged.class)
                .extracting(e -> ((ConnectionChanged) e).state()).isEqualTo(ConnectionChanged.State.CONNECTED);
        assertThat(zulip.healthy()).isTrue();
    }

    @Test
    void takesStreamsWithATopicOnly() {
        ZulipConnector zulip = connector(KEY, LastMessageStore.memory());
        assertThat(zulip.takes(new ChatAddress("zulip", "engineering", "buildbot"))).isTrue();
        assertThat(zulip.takes(ChatAddress.of("zulip", "engineering"))).isFalse();
        assertThat(zulip.takes(ChatAddress.of("zulip", "alice@example.com"))).isFalse();
        assertThat(zulip.takes(new ChatAddress("matrix", "engineering", "buildbot"))).isFalse();
        assertThat(zulip.capabilities().edits()).isTrue();
        assertThat(zulip.capabilities().threads()).isTrue();
        assertThat(zulip.capabilities().liveOutput()).isFalse();
        assertThat(zulip.capabilities().maxMessageBytes()).isEqualTo(10_000);
    }
}
