package org.buildduty.connectors.zulip;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import org.buildduty.core.journal.StateRecords;

/**
 * Where a Zulip connector keeps the id of the last message it handled, so that a restart neither runs an old
 * message again nor loses one sent while the bot was away. The journal-backed store is the one the bot uses.
 *
 * <pre>{@code
 * LastMessageStore store = LastMessageStore.journal(journal);   // record kind "zulip-last", key = connector id
 * }</pre>
 */
public interface LastMessageStore {
    /** The journal's state record kind the journal-backed store writes. */
    String KIND = "zulip-last";

    /** The last handled message id of a connector, or empty on a fresh start. */
    OptionalLong load(String connectorId);

    /** Records the last handled message id of a connector. */
    void save(String connectorId, long messageId);

    /** A store in the journal's durable records ({@link StateRecords#putState}), one per connector id. */
    static LastMessageStore journal(StateRecords journal) {
        return new JournalLastMessageStore(journal);
    }

    /** A store in memory, lost at exit (tests, and the bot without a journal). */
    static LastMessageStore memory() {
        Map<String, Long> ids = new ConcurrentHashMap<>();
        return new LastMessageStore() {
            @Override
            public OptionalLong load(String connectorId) {
                Long id = ids.get(connectorId);
                return id == null ? OptionalLong.empty() : OptionalLong.of(id);
            }

            @Override
            public void save(String connectorId, long messageId) {
                ids.put(connectorId, messageId);
            }
        };
    }
}
