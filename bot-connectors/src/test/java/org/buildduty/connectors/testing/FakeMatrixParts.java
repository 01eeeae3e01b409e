package org.buildduty.connectors.testing;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/** The fake homeserver's rooms, stream items and answer shapes (the API contract's fixtures). */
final class FakeMatrixParts {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String UNKNOWN_TOKEN = "{\"errcode\":\"M_UNKNOWN_TOKEN\",\"error\":\"Invalid access token passed.\"}";
    static final String NOT_INVITED = "{\"errcode\":\"M_FORBIDDEN\",\"error\":\"You are not invited to this room.\"}";
    static final String LOGIN_FORBIDDEN = "{\"errcode\":\"M_FORBIDDEN\"}";

    private FakeMatrixParts() {
    }

    /** One entry of the event stream: a timeline event, or an invite of the bot (event null). */
    record Item(String roomId, ObjectNode event, String inviter, boolean direct) {
    }

    /** A room as the server knows it. */
    static final class Room {
        final String id;
        boolean joined;
        boolean joinable;
        int members;

        Room(String id, boolean joinable, int members) {
            this.id = id;
            this.joinable = joinable;
            this.members = members;
        }
    }

    /** A sync answer for the items after the client's position: timelines of joined rooms, and invites. */
    static ObjectNode syncAnswer(List<Item> items, int nextBatch, Map<String, Room> rooms, String botUser) {
        ObjectNode o = JSON.createObjectNode();
        o.put("next_batch", "s" + nextBatch);
        ObjectNode roomsNode = o.putObject("rooms");
        ObjectNode join = roomsNode.putObject("join");
        ObjectNode invite = roomsNode.putObject("invite");
        for (Item it : items) {
            Room room = rooms.get(it.roomId());
            if (it.event() != null && room != null && room.joined) {
                ObjectNode jr = join.has(it.roomId()) ? (ObjectNode) join.get(it.roomId())
                        : join.putObject(it.roomId());
                jr.putObject("summary").put("m.joined_member_count", room.members);
                ObjectNode timeline = jr.has("timeline") ? (ObjectNode) jr.get("timeline") : jr.putObject("timeline");
                ArrayNode events = timeline.has("events") ? (ArrayNode) timeline.get("events")
                        : timeline.putArray("events");
                events.add(it.event());
                timeline.put("limited", false);
            } else if (it.inviter() != null) {
                ObjectNode member = JSON.createObjectNode().put("sender", it.inviter()).put("type", "m.room.member")
                        .put("state_key", botUser);
                member.putObject("content").put("membership", "invite").put("is_direct", it.direct());
                ObjectNode name = JSON.createObjectNode().put("sender", it.inviter()).put("type", "m.room.name")
                        .put("state_key", "");
                name.putObject("content").put("name", "Room " + it.roomId());
                invite.putObject(it.roomId()).putObject("invite_state").putArray("events").add(name).add(member);
            }
        }
        return o;
    }

    static long parseLong(String s) {
        try {
            return s == null ? 0 : Math.max(0, Long.parseLong(s));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static JsonNode body(RecordedRequest r) {
        try {
            return r.getBody() == null ? JSON.createObjectNode() : JSON.readTree(r.getBody().utf8());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    static MockResponse ok(JsonNode o) {
        return fixture(200, o.toString());
    }

    static MockResponse error(int status, String errcode, String text) {
        return fixture(status, JSON.createObjectNode().put("errcode", errcode).put("error", text).toString());
    }

    static MockResponse fixture(int status, String json) {
        return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(json)
                .build();
    }
}
