package org.buildduty.connectors.zulip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.connectors.testing.FakeZulipServer;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.testing.FakeTicker;

/** Sending, threads as topics, and edits past Zulip's edit limit, against the fake server over real HTTP. */
class ZulipSendTest {
    private static final String KEY = "s3cr3t-api-key-0123456789";

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingSleeper sleeper = new RecordingSleeper();
    private FakeZulipServer server;
    private ZulipConnector zulip;

    @BeforeEach
    void start() throws Exception {
        server = FakeZulipServer.start("bot@example.com", KEY, "buildduty", ticker);
        server.addUser("alice@example.com", "Alice Adams");
        server.addStream("ops");
        zulip = new ZulipConnector(ZulipConfig.of("zulip", server.site(), "bot@example.com", KEY, List.of("ops")),
                LastMessageStore.memory(), ticker, sleeper);
    }

    @AfterEach
    void stop() throws Exception {
        zulip.close();
        server.close();
    }

    private FakeZulipServer.Message onServer(MessageRef ref) {
        return server.messages().stream().filter(m -> Long.toString(m.id()).equals(ref.id())).findFirst()
                .orElseThrow();
    }

    @Test
    void sendsToStreamTopicsTheDefaultTopicAndPrivateConversations() {
        MessageRef topic = zulip.send(new ChatAddress("zulip", "ops", "deploys"), "in a topic");
        MessageRef plain = zulip.send(ChatAddress.of("zulip", "ops"), "no topic given");
        MessageRef pm = zulip.send(ChatAddress.of("zulip", "alice@example.com"), "just for you");

        assertThat(onServer(topic)).extracting(FakeZulipServer.Message::stream, FakeZulipServer.Message::topic,
                FakeZulipServer.Message::content).containsExactly("ops", "deploys", "in a topic");
        assertThat(onServer(plain).topic()).isEqualTo("buildduty");
        assertThat(plain.address()).isEqualTo(new ChatAddress("zulip", "ops", "buildduty"));
        assertThat(onServer(pm).type()).isEqualTo("private");
        assertThat(onServer(pm).recipients()).contains("alice@example.com");
        assertThat(pm.address()).isEqualTo(ChatAddress.of("zulip", "alice@example.com"));
        assertThat(server.calls()).filteredOn(c -> c.method().equals("POST")).extracting(c -> c.body())
                .anySatisfy(b -> assertThat(b).contains("type=stream").contains("to=ops").contains("topic=deploys"));
    }

    @Test
    void aThreadIsItsOwnTopicInTheStreamAndTheConversationInPrivate() {
        MessageRef t = zulip.startThread(new ChatAddress("zulip", "ops", "general chat"), "reconfig #17",
                "reconfig #17 starting", "123");
        assertThat(t.address()).isEqualTo(new ChatAddress("zulip", "ops", "reconfig #17"));
        assertThat(onServer(t).topic()).isEqualTo("reconfig #17");
        MessageRef p = zulip.startThread(ChatAddress.of("zulip", "alice@example.com"), "whoami #3", "hi", "124");
        assertThat(p.address()).isEqualTo(ChatAddress.of("zulip", "alice@example.com"));
        assertThat(onServer(p).type()).isEqualTo("private");
        MessageRef longTitle = zulip.startThread(ChatAddress.of("zulip", "ops"), "x".repeat(80), "t", null);
        assertThat(onServer(longTitle).topic()).hasSize(60);
    }

    @Test
    void editsInPlaceThenPostsANewStatusMessagePastTheLimitAndKeepsEditingIt() {
        MessageRef status = zulip.startThread(ChatAddress.of("zulip", "ops"), "reconfig #7", "status 1", null);
        zulip.edit(status, "status 2");
        assertThat(onServer(status).content()).isEqualTo("status 2");
        assertThat(onServer(status).edits()).isEqualTo(1);

        ticker.advance(Duration.ofMinutes(11));
        zulip.edit(status, "status 3");
        zulip.edit(status, "status 4");

        List<FakeZulipServer.Message> sent = server.botMessages();
        assertThat(sent).hasSize(2);
        assertThat(onServer(status).content()).as("the old message is left as it was").isEqualTo("status 2");
        FakeZulipServer.Message replacement = sent.get(1);
        assertThat(replacement.topic()).isEqualTo("reconfig #7");
        assertThat(replacement.content()).isEqualTo("status 4");
        assertThat(replacement.edits()).isEqualTo(1);
        assertThat(server.calls()).filteredOn(c -> c.method().equals("PATCH"))
                .extracting(FakeZulipServer.Call::path)
                .containsExactly("/api/v1/messages/" + status.id(), "/api/v1/messages/" + replacement.id());
    }

    @Test
    void anEditTheServerRefusesForAgeBecomesANewMessage() {
        server.editLimit(Duration.ofSeconds(60));
        MessageRef status = zulip.send(new ChatAddress("zulip", "ops", "t"), "status 1");
        ticker.advance(Duration.ofMinutes(2));
        zulip.edit(status, "status 2");
        zulip.edit(status, "status 3");
        List<FakeZulipServer.Message> sent = server.botMessages();
        assertThat(sent).extracting(FakeZulipServer.Message::content).containsExactly("status 1", "status 3");
        assertThat(sent.get(1).topic()).isEqualTo("t");
    }

    @Test
    void sendingWaitsOutRateLimitsAndReportsZulipErrorsInOneLine() {
        server.rateLimitNext(2, 0.25);
        MessageRef ref = zulip.send(new ChatAddress("zulip", "ops", "t"), "after the limit");
        assertThat(onServer(ref).content()).isEqualTo("after the limit");
        assertThat(sleeper.waits).containsExactly(Duration.ofMillis(250), Duration.ofMillis(250));

        assertThatThrownBy(() -> zulip.send(new ChatAddress("zulip", "nonexistent", "t"), "x"))
                .isInstanceOf(BuilddutyException.class)
                .hasMessage("Zulip zulip: sending to zulip:nonexistent > t failed: HTTP 400 STREAM_DOES_NOT_EXIST: "
                        + "Channel 'nonexistent' does not exist");
    }

    @Test
    void metersCountMessagesSentAndEditedAndEachRateLimitWait() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        zulip.useMeters(new BotMetrics(registry).connector("zulip"));
        server.rateLimitNext(1, 0.25);
        MessageRef ref = zulip.send(new ChatAddress("zulip", "ops", "t"), "after the limit");
        Timer waits = registry.get("buildduty.ratelimit.waits").tag("connector", "zulip").timer();
        assertThat(waits.count()).isEqualTo(1);
        assertThat(waits.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
        assertThat(sent(registry)).as("the 429 is not a message sent").isEqualTo(1);

        server.rateLimitNext(1, 0.5);
        zulip.edit(ref, "edited");
        assertThat(sent(registry)).isEqualTo(2);
        assertThat(waits.count()).isEqualTo(2);
        assertThat(waits.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(750);
        assertThatThrownBy(() -> zulip.send(new ChatAddress("zulip", "nonexistent", "t"), "x"))
                .isInstanceOf(BuilddutyException.class);
        assertThat(sent(registry)).as("a refused send is not counted").isEqualTo(2);
    }

    private static double sent(SimpleMeterRegistry registry) {
        return registry.get("buildduty.messages.sent").tag("connector", "zulip").counter().count();
    }

    @Test
    void longTextIsCutToZulipsLimit() {
        MessageRef ref = zulip.send(new ChatAddress("zulip", "ops", "t"), "é".repeat(20_000));
        assertThat(onServer(ref).content()).endsWith("[… cut]");
        assertThat(onServer(ref).content().getBytes(StandardCharsets.UTF_8).length)
                .isBetween(9_990, 10_000);
        assertThat(onServer(ref).content()).startsWith("éé").doesNotContain("\uFFFD");
        assertThat(ZulipConnector.clip("a".repeat(10_000))).isEqualTo("a".repeat(10_000));
        assertThat(ZulipConnector.clip("a".repeat(10_001))).hasSize(10_000 - "[… cut]".getBytes(StandardCharsets.UTF_8)
                .length + "[… cut]".length()).endsWith("\n[… cut]");
    }

    @Test
    void anEditWithTheSameTextSendsNothing() {
        MessageRef ref = zulip.send(new ChatAddress("zulip", "ops", "t"), "status 1");
        zulip.edit(ref, "status 1");
        zulip.edit(ref, "status 2");
        zulip.edit(ref, "status 2");
        assertThat(server.calls()).filteredOn(c -> c.method().equals("PATCH")).hasSize(1);
        assertThat(onServer(ref).content()).isEqualTo("status 2");
    }
}
