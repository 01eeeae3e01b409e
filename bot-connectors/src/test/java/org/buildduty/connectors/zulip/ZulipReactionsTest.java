package org.buildduty.connectors.zulip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.connectors.testing.FakeZulipServer;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatReaction;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.testing.FakeTicker;

/**
 * Zulip reaction events, from the contract's fixtures (contracts/reactions.md) and through the event queue of the
 * fake server: matched by {@code (reaction_type, emoji_code)}, never by name; who reacted is {@code user_id} resolved
 * to the email their messages carry, with or without the deprecated {@code user} object; the queue must register for
 * {@code reaction} events.
 */
class ZulipReactionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final String KEY = "s3cr3t-api-key-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeTicker ticker = new FakeTicker();
    private final List<ZulipConnector> connectors = new ArrayList<>();
    private FakeZulipServer server;

    @BeforeEach
    void start() throws Exception {
        server = FakeZulipServer.start("bot@example.com", KEY, "buildduty", ticker);
        server.heartbeatAfter(Duration.ofMillis(100));
        server.addUser("alice@example.com", "Alice Adams");
        server.subscribeBot("ops");
    }

    @AfterEach
    void stop() throws Exception {
        connectors.forEach(ZulipConnector::close);
        server.close();
    }

    static ObjectNode fixture(String name) throws IOException {
        try (InputStream in = ZulipReactionsTest.class.getResourceAsStream("/contracts/" + name)) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    private static ChatReaction read(ObjectNode e) {
        return ZulipMessages.reaction("zulip", e, "user10@zulip.testserver", NOW);
    }

    @Test
    void anAddedCheckIsItsCodePointsWithAnIdForItsRow() throws IOException {
        assertThat(read(fixture("zulip_event_reaction_add_check_ADAPTED.json"))).isEqualTo(new ChatReaction("zulip",
                null, new Identity("zulip", "user10@zulip.testserver"), "32", "\u2705", true,
                "32/unicode_emoji/2705/10", NOW));
    }

    @Test
    void theEmojiIsTheCodeNotTheName() throws IOException {
        assertThat(read(fixture("zulip_event_reaction_add.json")).key()).isEqualTo("\uD83C\uDF89");
        ObjectNode renamed = fixture("zulip_event_reaction_add_check_ADAPTED.json");
        renamed.put("emoji_name", "cross_mark");
        assertThat(read(renamed).key()).isEqualTo("\u2705");
        ObjectNode custom = fixture("zulip_event_reaction_add_check_ADAPTED.json");
        custom.put("reaction_type", "realm_emoji").put("emoji_code", "2705");
        assertThat(read(custom)).isNull();
        ObjectNode extra = fixture("zulip_event_reaction_add_check_ADAPTED.json");
        extra.put("reaction_type", "zulip_extra_emoji").put("emoji_code", "zulip");
        assertThat(read(extra)).isNull();
    }

    @Test
    void withoutTheDeprecatedUserObjectTheUserIdSays() throws IOException {
        ChatReaction r = read(fixture("zulip_event_reaction_add_no_user_object_ADAPTED.json"));
        assertThat(r.key()).isEqualTo("\uD83D\uDC4D");
        assertThat(r.reactionId()).isEqualTo("32/unicode_emoji/1f44d/10");
    }

    @Test
    void aRemovalNamesTheSameRowAsItsAddition() throws IOException {
        ChatReaction removed = read(fixture("zulip_event_reaction_remove.json"));
        assertThat(removed.added()).isFalse();
        assertThat(removed.targetMessageId()).isEqualTo("52");
        assertThat(removed.reactionId()).isEqualTo("52/unicode_emoji/1f389/10");
    }

    @Test
    void theQueueTakesReactionsAndTheirAuthorIsTheEmailTheirMessagesCarry() throws Exception {
        ZulipConnector zulip = new ZulipConnector(ZulipConfig.of("zulip", server.site(), "bot@example.com", KEY,
                List.of("ops")), LastMessageStore.memory(), ticker, new RecordingSleeper());
        connectors.add(zulip);
        RecordingListener events = new RecordingListener();
        zulip.start(events);
        zulip.awaitConnected(WAIT);
        MessageRef request = zulip.send(new ChatAddress("zulip", "ops", "deploy #5"), "deploy #5 by bob");
        long id = Long.parseLong(request.id());

        server.react("alice@example.com", id, "check", "2705", true, false);
        server.react("bot@example.com", id, "check", "2705", true, true);
        server.react("alice@example.com", id, "check", "2705", false, true);
        ChatReaction removed = events.reaction(r -> !r.added());
        assertThat(events.reactions()).extracting(ChatReaction::added, ChatReaction::sender, ChatReaction::key,
                ChatReaction::targetMessageId).containsExactly(
                        tuple(true, new Identity("zulip", "alice@example.com"), "\u2705", request.id()),
                        tuple(false, new Identity("zulip", "alice@example.com"), "\u2705", request.id()));
        assertThat(removed.reactionId()).isEqualTo(events.reactions().get(0).reactionId());
        assertThat(server.calls()).anyMatch(c -> c.path().endsWith("/register") && c.body().contains("reaction"));
        assertThat(server.calls()).anyMatch(c -> c.path().endsWith("/users/" + server.addUser("alice@example.com",
                "Alice Adams")));
    }
}
