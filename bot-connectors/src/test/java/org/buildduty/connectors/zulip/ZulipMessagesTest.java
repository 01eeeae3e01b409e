package org.buildduty.connectors.zulip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;

/** Zulip message objects as chat lines, read from the contract's fixture of {@code GET /events}. */
class ZulipMessagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final ZulipMessages.Self SELF = new ZulipMessages.Self(1, "bot@example.com", "Build Duty");

    /** Zulip's own example ({@code zulip.yaml}, {@code /events} GET 200), as in the contract notes. */
    private static JsonNode fixtureEvent(int i) throws Exception {
        try (InputStream in = ZulipMessagesTest.class.getResourceAsStream("/zulip/GET_events_response.json")) {
            return JSON.readTree(in).get("events").get(i).get("message");
        }
    }

    @Test
    void theFixturesStreamAndPrivateMessages() throws Exception {
        ChatMessage stream = ZulipMessages.toChat("zulip", fixtureEvent(0), SELF, NOW);
        assertThat(stream.room()).isEqualTo(ChatAddress.of("zulip", "Denmark"));
        assertThat(stream.sender().toString()).isEqualTo("zulip:othello-bot@example.com");
        assertThat(stream.senderName()).isEqualTo("Othello Bot");
        assertThat(stream.messageId()).isEqualTo("12345678");
        assertThat(stream.direct()).isFalse();

        ChatMessage pm = ZulipMessages.toChat("zulip", fixtureEvent(1), SELF, NOW);
        assertThat(pm.room()).isEqualTo(ChatAddress.of("zulip", "othello-bot@example.com"));
        assertThat(pm.direct()).isTrue();
        assertThat(pm.text()).isEqualTo("With mirth and laughter let old wrinkles come.");
    }

    @Test
    void aLeadingMentionOfTheBotAddressesItAndOthersDoNot() throws Exception {
        ObjectNode m = (ObjectNode) fixtureEvent(0);
        m.put("content", "@**Build Duty|1** whoami");
        ChatMessage mentioned = ZulipMessages.toChat("zulip", m, SELF, NOW);
        assertThat(mentioned.text()).isEqualTo("whoami");
        assertThat(mentioned.direct()).isTrue();
        m.put("content", "@**Alice** whoami");
        ChatMessage other = ZulipMessages.toChat("zulip", m, SELF, NOW);
        assertThat(other.text()).isEqualTo("@**Alice** whoami");
        assertThat(other.direct()).isFalse();
    }

    @Test
    void aGroupConversationIsAnsweredToEveryOtherMemberAndTheBotsOwnMessagesAreRecognised() throws Exception {
        ObjectNode m = (ObjectNode) fixtureEvent(1);
        m.withArray("display_recipient").addObject().put("email", "bot@example.com").put("id", 1);
        m.withArray("display_recipient").addObject().put("email", "alice@example.com").put("id", 7);
        assertThat(ZulipMessages.toChat("zulip", m, SELF, NOW).room().room())
                .isEqualTo("alice@example.com,hamlet@example.com");
        assertThat(ZulipMessages.fromSelf(m, SELF)).isFalse();
        m.put("sender_email", "BOT@example.com");
        assertThat(ZulipMessages.fromSelf(m, SELF)).isTrue();
        assertThat(ZulipMessages.isPrivate(ChatAddress.of("zulip", "a@x.org,b@x.org"))).isTrue();
        assertThat(ZulipMessages.isPrivate(new ChatAddress("zulip", "ops", "t"))).isFalse();
    }
}
