package org.buildduty.connectors.matrix;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the connector knows about rooms: the configured ones (by id, aliases resolved when joined), joined member
 * counts from sync summaries, and rooms the bot was invited to as a direct chat.
 *
 * <p>A room is direct (commands need no prefix) when its invite said {@code is_direct}, or when it is not a
 * configured room and has exactly two joined members: the bot and one person. The time of the bot's last join of
 * each room is kept, so that what was said there before is not taken for new.
 */
final class MatrixRooms {
    private final Set<String> configured = ConcurrentHashMap.newKeySet();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final Map<String, Integer> members = new ConcurrentHashMap<>();
    private final Set<String> direct = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> joinedAt = new ConcurrentHashMap<>();

    MatrixRooms(Iterable<String> rooms) {
        for (String r : rooms) {
            if (r.startsWith("!")) {
                configured.add(r);
            }
        }
    }

    /** Records the room id an alias (or id) was joined as. */
    void joined(String roomOrAlias, String roomId) {
        configured.add(roomId);
        if (roomOrAlias.startsWith("#")) {
            aliases.put(roomOrAlias, roomId);
        }
    }

    /** The room id of an id or a known alias, or null for an alias not joined. */
    String resolve(String roomOrAlias) {
        return roomOrAlias.startsWith("#") ? aliases.get(roomOrAlias) : roomOrAlias;
    }

    void members(String roomId, int joined) {
        members.put(roomId, joined);
    }

    /** Records when the bot (last) joined a room, in ms since the epoch as the homeserver stamped it. */
    void joinedAt(String roomId, long originServerTs) {
        joinedAt.merge(roomId, originServerTs, Math::max);
    }

    /** When the bot last joined the room as far as a sync showed it, or 0. */
    long joinedAt(String roomId) {
        return joinedAt.getOrDefault(roomId, 0L);
    }

    void markDirect(String roomId) {
        direct.add(roomId);
    }

    boolean direct(String roomId) {
        if (direct.contains(roomId)) {
            return true;
        }
        Integer n = members.get(roomId);
        return !configured.contains(roomId) && n != null && n == 2;
    }
}
