package org.buildduty.connectors.matrix;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ChatReaction;
import org.buildduty.core.chat.Identity;

/**
 * One {@code /sync} answer read into what the bot acts on: text messages from others (not notices, not edits, not
 * the bot's own), reactions ({@code m.reaction} annotations) and redactions by others (a redaction is passed on as
 * the removal of the event it names; the engine ignores those that are not reactions it counted), the invites
 * addressed to the bot, and the position to resume from.
 *
 * <p>History is never acted on: a room's timeline after the bot (re)joined it holds what was said there before (in
 * rooms whose history is {@code shared}), so a message before the bot's own join event in the timeline, sent before
 * that join ({@code origin_server_ts}), or older than the catch-up window is dropped and only counted.
 */
final class SyncBatch {
    /** An invite of the bot to a room. */
    record Invite(String roomId, String inviter, boolean direct) {
    }

    final String nextBatch;
    /** Messages, reactions and redactions, in timeline order. */
    final List<ChatEvent> events = new ArrayList<>();
    final List<Invite> invites = new ArrayList<>();
    /** Messages and reactions dropped as history (before the bot's join, or too old). */
    int history;

    private SyncBatch(String nextBatch) {
        this.nextBatch = nextBatch;
    }

    /**
     * Reads a sync answer; with {@code skipTimeline} (the first sync of a fresh start) the timelines are history and
     * give no messages; otherwise a message is history, and dropped, when it comes before the bot's own join in its
     * room's timeline, was sent before that join, or was sent more than {@code catchUp} before {@code now}. Member
     * counts of joined rooms and the times of the bot's joins go into {@code rooms}.
     */
    static SyncBatch read(JsonNode sync, boolean skipTimeline, MatrixRooms rooms, String connectorId, String self,
            Instant now, Duration catchUp) {
        SyncBatch b = new SyncBatch(sync.path("next_batch").asText(""));
        long oldest = now.minus(catchUp).toEpochMilli();
        for (Map.Entry<String, JsonNode> room : sync.path("rooms").path("join").properties()) {
            String roomId = room.getKey();
            JsonNode count = room.getValue().path("summary").path("m.joined_member_count");
            if (count.canConvertToInt()) {
                rooms.members(roomId, count.asInt());
            }
            JsonNode events = room.getValue().path("timeline").path("events");
            int joinAt = -1;
            for (JsonNode ev : room.getValue().path("state").path("events")) {
                if (ownJoin(ev, self)) {
                    rooms.joinedAt(roomId, ev.path("origin_server_ts").asLong(0));
                }
            }
            for (int i = 0; i < events.size(); i++) {
                if (ownJoin(events.get(i), self)) {
                    joinAt = i;
                    rooms.joinedAt(roomId, events.get(i).path("origin_server_ts").asLong(0));
                }
            }
            if (skipTimeline) {
                continue;
            }
            long notBefore = Math.max(oldest, rooms.joinedAt(roomId));
            for (int i = 0; i < events.size(); i++) {
                JsonNode ev = events.get(i);
                ChatEvent m = message(ev, roomId, rooms, connectorId, self, now);
                if (m == null) {
                    m = reaction(ev, roomId, connectorId, self, now);
                }
                if (m == null) {
                    continue;
                }
                if (i < joinAt || ev.path("origin_server_ts").asLong(0) < notBefore) {
                    b.history++;
                } else {
                    b.events.add(m);
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

    /** The bot's own join ({@code m.room.member}, membership {@code join}, not a profile change). */
    static boolean ownJoin(JsonNode ev, String self) {
        return ev.path("type").asText().equals("m.room.member") && ev.path("state_key").asText().equals(self)
                && ev.path("content").path("membership").asText().equals("join")
                && !ev.path("unsigned").path("prev_content").path("membership").asText().equals("join");
    }

    /**
     * A reaction by someone else ({@code m.reaction} with an {@code m.annotation} relation: its target event and key),
     * or a redaction by someone else as the removal of the event it redacts ({@code content.redacts} from room
     * version 11, the top-level {@code redacts} before); null for anything else, a reaction already redacted
     * (its content is gone) included. The sender of a redaction may not be who reacted: a moderator may redact.
     */
    static ChatReaction reaction(JsonNode ev, String roomId, String connectorId, String self, Instant now) {
        String type = ev.path("type").asText();
        String sender = ev.path("sender").asText("");
        String eventId = ev.path("event_id").asText("");
        if (sender.isEmpty() || sender.equals(self) || eventId.isEmpty()) {
            return null;
        }
        Identity who = new Identity(connectorId, sender);
        if (type.equals("m.reaction")) {
            JsonNode rel = ev.path("content").path("m.relates_to");
            if (!rel.path("rel_type").asText().equals("m.annotation") || !rel.path("event_id").isTextual()
                    || !rel.path("key").isTextual() || rel.path("key").asText().isEmpty()) {
                return null;
            }
            return new ChatReaction(connectorId, roomId, who, rel.path("event_id").asText(), rel.path("key").asText(),
                    true, eventId, now);
        }
        if (type.equals("m.room.redaction")) {
            JsonNode inContent = ev.path("content").path("redacts");
            String redacts = inContent.isTextual() ? inContent.asText() : ev.path("redacts").asText("");
            return redacts.isEmpty() ? null
                    : new ChatReaction(connectorId, roomId, who, null, null, false, redacts, now);
        }
        return null;
    }

    /** A text message from someone else, or null for anything the bot does not act on. */
    static ChatMessage message(JsonNode ev, String roomId, MatrixRooms rooms, String connectorId, String self,
            Instant now) {
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
