package org.buildduty.connectors.testing;

import java.io.IOException;
import java.util.ArrayList;
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
    /** The timeline a newly joined room gets, as the bot's filter asks ({@code limit}). */
    static final int HISTORY = 50;

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
        /** Where in the stream the bot's current join is, or -1. */
        int joinedAt = -1;
        /** The bot has a pending invite here. */
        boolean invited;

        Room(String id, boolean joinable, int members) {
            this.id = id;
            this.joinable = joinable;
            this.members = members;
        }
    }

    /**
     * A sync answer from the client's position {@code from} in the stream: the timelines of joined rooms (for a room
     * joined since then, its last {@value #HISTORY} events, history from before the join included, {@code limited}),
     * holding only the event types in {@code types} (all when null), and the invites.
     */
    static ObjectNode syncAnswer(List<Item> stream, int from, Map<String, Room> rooms, String botUser,
            List<String> types) {
        ObjectNode o = JSON.createObjectNode();
        o.put("next_batch", "s" + stream.size());
        ObjectNode roomsNode = o.putObject("rooms");
        ObjectNode join = roomsNode.putObject("join");
        ObjectNode invite = roomsNode.putObject("invite");
        for (Room room : rooms.values()) {
            if (!room.joined) {
                continue;
            }
            boolean newlyJoined = room.joinedAt >= from;
            List<Item> mine = stream.subList(newlyJoined ? 0 : from, stream.size()).stream()
                    .filter(it -> it.event() != null && it.roomId().equals(room.id)).toList();
            boolean limited = newlyJoined && mine.size() > HISTORY;
            mine = limited ? mine.subList(mine.size() - HISTORY, mine.size()) : mine;
            if (mine.isEmpty()) {
                continue;
            }
            ObjectNode jr = join.putObject(room.id);
            jr.putObject("summary").put("m.joined_member_count", room.members);
            ObjectNode timeline = jr.putObject("timeline");
            ArrayNode events = timeline.putArray("events");
            mine.stream().map(Item::event).filter(ev -> types == null || types.contains(ev.path("type").asText()))
                    .forEach(events::add);
            timeline.put("limited", limited);
        }
        for (Item it : stream.subList(from, stream.size())) {
            Room room = rooms.get(it.roomId());
            if (it.event() == null && it.inviter() != null && !(room != null && room.joined)) {
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

    /** The event types an inline sync filter lets into room timelines, or null for all. */
    static List<String> timelineTypes(String filter) {
        if (filter == null || !filter.startsWith("{")) {
            return null;
        }
        try {
            JsonNode types = JSON.readTree(filter).path("room").path("timeline").path("types");
            if (!types.isArray()) {
                return null;
            }
            List<String> out = new ArrayList<>();
            types.forEach(t -> out.add(t.asText()));
            return out;
        } catch (IOException e) {
            return null;
        }
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
