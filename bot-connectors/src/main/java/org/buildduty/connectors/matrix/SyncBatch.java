package org.buildduty.connectors.matrix;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.Identity;

/**
 * One {@code /sync} answer read into what the bot acts on: text messages from others (not notices, not edits, not
 * the bot's own), the invites addressed to the bot, and the position to resume from.
 */
final class SyncBatch {
    /** An invite of the bot to a room. */
    record Invite(String roomId, String inviter, boolean direct) {
    }

    final String nextBatch;
    final List<ChatMessage> messages = new ArrayList<>();
    final List<Invite> invites = new ArrayList<>();

    private SyncBatch(String nextBatch) {
        this.nextBatch = nextBatch;
    }

    /**
     * Reads a sync answer; with {@code skipTimeline} (the first sync of a fresh start) the timelines are history and
     * give no messages. Member counts of joined rooms go into {@code rooms}.
     */
    static SyncBatch read(JsonNode sync, boolean skipTimeline, Rooms rooms, String connectorId, String self,
            Instant now) {
        SyncBatch b = new SyncBatch(sync.path("next_batch").asText(""));
        for (Map.Entry<String, JsonNode> room : sync.path("rooms").path("join").properties()) {
            JsonNode count = room.getValue().path("summary").path("m.joined_member_count");
            if (count.canConvertToInt()) {
                rooms.members(room.getKey(), count.asInt());
            }
            if (skipTimeline) {
                continue;
            }
            for (JsonNode ev : room.getValue().path("timeline").path("events")) {
                ChatMessage m = message(ev, room.getKey(), rooms, connectorId, self, now);
                if (m != null) {
                    b.messages.add(m);
                }
            }
        }
        for (Map.Entry<String, JsonNode> room : sync.path("rooms").path("invite").properties()) {
            for (JsonNode ev : room.getValue().path("invite_state").path("events")) {
                if (ev.path("type").asText().equals("m.room.member") && ev.path("state_key").asText().equals(self)
                        && ev.path("content").path("membership").asText().equals("invite")) {
                    b.invites.add(new Invite(room.getKey(), ev.path("sender").asText(""),
                            ev.path("content").path("is_direct").asBoolean(false)));
                }
            }
        }
        return b;
    }

    /** A text message from someone else, or null for anything the bot does not act on. */
    static ChatMessage message(JsonNode ev, String roomId, Rooms rooms, String connectorId, String self, Instant now) {
        String sender = ev.path("sender").asText("");
        JsonNode content = ev.path("content");
        if (!ev.path("type").asText().equals("m.room.message") || sender.isEmpty() || sender.equals(self)
                || !content.path("msgtype").asText().equals("m.text") || !content.path("body").isTextual()) {
            return null;
        }
        JsonNode rel = content.path("m.relates_to");
        String relType = rel.path("rel_type").asText("");
        if (relType.equals("m.replace")) {
            return null;   // an edit: never run a command twice because its text was corrected
        }
        String thread = relType.equals("m.thread") && rel.path("event_id").isTextual()
                ? rel.path("event_id").asText() : null;
        String eventId = ev.path("event_id").asText(null);
        String text = MatrixText.stripReplyFallback(content.path("body").asText());
        return new ChatMessage(new ChatAddress(connectorId, roomId, thread), new Identity(connectorId, sender),
                sender, text, rooms.direct(roomId), now, eventId);
    }
}
