package org.buildduty.connectors.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.buildduty.connectors.matrix.MatrixFixture.ALICE;
import static org.buildduty.connectors.matrix.MatrixFixture.BOT;
import static org.buildduty.connectors.matrix.MatrixFixture.ROOM;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatReaction;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.chat.MessageRef;

/**
 * Reactions and their redactions, from the contract's fixtures (contracts/reactions.md) and through the sync filter
 * against the fake homeserver: keys compared without U+FE0F and skin tones, redactions in both shapes (room version
 * 11's {@code content.redacts} and the older top-level {@code redacts}), the bot's own reactions skipped.
 */
class MatrixReactionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final String FIXTURE_ROOM = "!jEsUZKDJdhlrceRyVU:example.org";
    private static final String REACTION_ID = "$143273582443PhrSn:example.org";
    private MatrixFixture fx;

    @BeforeEach
    void start() throws IOException {
        fx = new MatrixFixture();
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    static ObjectNode fixture(String name) throws IOException {
        try (InputStream in = MatrixReactionsTest.class.getResourceAsStream("/contracts/" + name)) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    private static ChatReaction read(JsonNode ev) {
        return SyncBatch.reaction(ev, FIXTURE_ROOM, "matrix", BOT, NOW);
    }

    @Test
    void theSpecsReactionIsAnAddedReactionBySenderOnItsTarget() throws IOException {
        assertThat(read(fixture("matrix_event_m.reaction.json"))).isEqualTo(new ChatReaction("matrix", FIXTURE_ROOM,
                new Identity("matrix", "@example:example.org"), "$some_event_id", "\uD83D\uDC4D", true, REACTION_ID,
                NOW));
    }

    @Test
    void keysCompareWithoutThePresentationSelectorAndSkinTones() throws IOException {
        ObjectNode bare = fixture("matrix_event_m.reaction_check_mark_unqualified_ADAPTED.json");
        assertThat(read(bare).key()).isEqualTo("\u2714");
        ObjectNode qualified = bare.deepCopy();
        ((ObjectNode) qualified.path("content").path("m.relates_to")).put("key", "\u2714\uFE0F");
        assertThat(read(qualified).key()).isEqualTo("\u2714");
        ObjectNode toned = fixture("matrix_event_m.reaction.json");
        ((ObjectNode) toned.path("content").path("m.relates_to")).put("key", "\uD83D\uDC4D\uD83C\uDFFF");
        assertThat(read(toned).key()).isEqualTo("\uD83D\uDC4D");
    }

    @Test
    void aRedactionRemovesTheEventItNamesInEitherShape() throws IOException {
        ObjectNode both = fixture("matrix_event_m.room.redaction_of_reaction.json");
        ChatReaction removed = read(both);
        assertThat(removed.added()).isFalse();
        assertThat(removed.reactionId()).isEqualTo(REACTION_ID);
        assertThat(removed.sender()).isEqualTo(new Identity("matrix", "@example:example.org"));
        assertThat(removed.targetMessageId()).isNull();

        ObjectNode v11 = both.deepCopy();
        v11.remove("redacts");
        assertThat(read(v11).reactionId()).isEqualTo(REACTION_ID);
        ObjectNode old = both.deepCopy();
        ((ObjectNode) old.path("content")).remove("redacts");
        assertThat(read(old).reactionId()).isEqualTo(REACTION_ID);

        assertThat(read(fixture("matrix_event_m.room.redaction_SPEC_EXAMPLE.json")).reactionId())
                .isEqualTo("$fukweghifu23:localhost");
    }

    @Test
    void aReactionSeenAfterItsRedactionAndTheBotsOwnReactionsAreNothing() throws IOException {
        assertThat(read(fixture("matrix_event_m.reaction_after_redaction_ADAPTED.json"))).isNull();
        ObjectNode own = fixture("matrix_event_m.reaction.json");
        own.put("sender", BOT);
        assertThat(read(own)).isNull();
        ObjectNode ownRedaction = fixture("matrix_event_m.room.redaction_of_reaction.json");
        ownRedaction.put("sender", BOT);
        assertThat(read(ownRedaction)).isNull();
        ObjectNode notAnnotation = fixture("matrix_event_m.reaction.json");
        ((ObjectNode) notAnnotation.path("content").path("m.relates_to")).put("rel_type", "m.reference");
        assertThat(read(notAnnotation)).isNull();
    }

    @Test
    void theSyncFilterLetsReactionsAndRedactionsThrough() throws Exception {
        RecordingListener l = new RecordingListener();
        MatrixConnector c = fx.start(l);
        MessageRef request = c.send(ChatAddress.of("matrix", ROOM), "deploy #5 by bob — approve with \"!approve 5\"");
        String reaction = fx.hs.react(ROOM, ALICE, request.id(), "\u2705");
        ChatReaction added = l.reaction(ChatReaction::added);
        assertThat(added).isEqualTo(new ChatReaction("matrix", ROOM, new Identity("matrix", ALICE), request.id(),
                "\u2705", true, reaction, added.receivedAt()));

        fx.hs.redact(ROOM, ALICE, reaction, false);
        fx.hs.redact(ROOM, "@mod:fake.test", reaction, true);
        fx.hs.react(ROOM, BOT, request.id(), "\u274C");
        fx.hs.say(ROOM, ALICE, "after");
        l.message(m -> m.text().equals("after"));
        assertThat(l.reactions()).extracting(ChatReaction::added, ChatReaction::reactionId, r -> r.sender().principal())
                .containsExactly(tuple(true, reaction, ALICE),
                        tuple(false, reaction, ALICE),
                        tuple(false, reaction, "@mod:fake.test"));
        assertThat(fx.hs.requests()).anyMatch(r -> r.target().contains("sync") && r.target().contains("m.reaction"));
    }
}
