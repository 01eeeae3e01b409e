package org.buildduty.commands.mbs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.buildduty.core.chat.ChatAddress;

/**
 * The journal record of one watched build (kind {@value #KIND}, key {@code <instance>#<id>}): its subscribers and
 * the last snapshot, as JSON.
 *
 * @param instance the MBS base URL
 * @param id the module build id
 * @param subscribers the rooms watching it
 * @param last what was last posted about it
 */
record WatchRecord(String instance, long id, List<Subscriber> subscribers, Snapshot last) {
    static final String KIND = "mbs-watch";
    private static final ObjectMapper JSON = new ObjectMapper();

    WatchRecord {
        subscribers = List.copyOf(subscribers);
    }

    static String key(String instance, long id) {
        return instance + "#" + id;
    }

    String key() {
        return key(instance, id);
    }

    String encode() {
        ObjectNode n = JSON.createObjectNode();
        n.put("instance", instance).put("id", id).put("state", last.state());
        ObjectNode comps = n.putObject("components");
        last.components().forEach(comps::put);
        var subs = n.putArray("subscribers");
        for (Subscriber s : subscribers) {
            ObjectNode o = subs.addObject();
            address(o.putObject("room"), s.room());
            if (s.thread() != null) {
                address(o.putObject("thread"), s.thread());
            }
            o.put("prefixed", s.prefixed()).put("by", s.by());
        }
        return n.toString();
    }

    /** Reads a record; a malformed one throws {@link IllegalArgumentException}. */
    static WatchRecord decode(String body) {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.path("id").canConvertToLong() || !n.path("instance").isTextual()) {
            throw new IllegalArgumentException("no instance or id");
        }
        Map<String, Integer> comps = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : n.path("components").properties()) {
            comps.put(e.getKey(), e.getValue().canConvertToInt() ? e.getValue().asInt() : null);
        }
        List<Subscriber> subs = new ArrayList<>();
        for (JsonNode s : n.path("subscribers")) {
            ChatAddress room = address(s.path("room"));
            if (room == null) {
                throw new IllegalArgumentException("a subscriber has no room");
            }
            subs.add(new Subscriber(room, address(s.path("thread")), s.path("prefixed").asBoolean(),
                    s.path("by").asText("")));
        }
        return new WatchRecord(n.path("instance").asText(), n.path("id").asLong(), subs,
                new Snapshot(n.path("state").asInt(-1), comps));
    }

    private static void address(ObjectNode o, ChatAddress a) {
        o.put("connector", a.connectorId()).put("room", a.room()).put("thread", a.thread());
    }

    private static ChatAddress address(JsonNode o) {
        if (!o.path("connector").isTextual() || !o.path("room").isTextual()) {
            return null;
        }
        JsonNode t = o.path("thread");
        return new ChatAddress(o.path("connector").asText(), o.path("room").asText(), t.isTextual() ? t.asText()
                : null);
    }
}
