package org.buildduty.connectors.matrix;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.buildduty.core.journal.StateRecords;

/**
 * Keeps a Matrix connector's {@code /sync} position ({@code next_batch}) across restarts, so messages handled before
 * a restart are never handled again. The connector saves a token only after the batch's events were handed on.
 *
 * <pre>{@code
 * SyncTokenStore store = SyncTokenStore.journal(journal, "matrix");   // state record kind "matrix-sync", key "matrix"
 * }</pre>
 */
public interface SyncTokenStore {
    /** The journal state-record kind the journal-backed store writes. */
    String KIND = "matrix-sync";

    /** The last saved token, or empty before the first sync. */
    Optional<String> load();

    /** Saves the token to resume from; durable when this returns. */
    void save(String token);

    /** A store in the journal's state records ({@link #KIND}, keyed by the connector id). */
    static SyncTokenStore journal(StateRecords journal, String connectorId) {
        Objects.requireNonNull(journal, "journal");
        Objects.requireNonNull(connectorId, "connectorId");
        return new SyncTokenStore() {
            @Override
            public Optional<String> load() {
                return Optional.ofNullable(journal.states(KIND).get(connectorId));
            }

            @Override
            public void save(String token) {
                journal.putState(KIND, connectorId, token);
            }
        };
    }

    /** A store that forgets on restart, for tests and tools. */
    static SyncTokenStore inMemory() {
        AtomicReference<String> token = new AtomicReference<>();
        return new SyncTokenStore() {
            @Override
            public Optional<String> load() {
                return Optional.ofNullable(token.get());
            }

            @Override
            public void save(String t) {
                token.set(t);
            }
        };
    }
}
