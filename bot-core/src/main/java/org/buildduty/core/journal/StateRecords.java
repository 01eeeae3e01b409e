package org.buildduty.core.journal;

import java.util.SortedMap;

/**
 * The durable records of long-lived features that are not operations: an {@code mbs watch}, a scheduled
 * maintenance announcement, a connector's sync position. Kept in the journal, so a feature resumes after a restart.
 *
 * <pre>{@code
 * records.putState("mbs.watch", "fedora/42", json);
 * for (Map.Entry<String, String> e : records.states("mbs.watch").entrySet()) { ... }
 * }</pre>
 */
public interface StateRecords {
    /**
     * Stores, or replaces, a record: {@code kind} names the feature, {@code key} the record within it, {@code body}
     * is the feature's own text (JSON). Committed before it returns, like every journal write.
     */
    void putState(String kind, String key, String body);

    /** Removes a record stored by {@link #putState}; nothing happens if there is none. */
    void removeState(String kind, String key);

    /** Every record of a kind, keyed and ordered by key. */
    SortedMap<String, String> states(String kind);

    /** Throws {@link JournalException} if the journal cannot take a write now (disk full, read-only). */
    void checkWritable();
}
