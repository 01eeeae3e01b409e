package org.buildduty.connectors.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import org.buildduty.core.testing.InMemoryJournal;

class SyncTokenStoreTest {
    @Test
    void theJournalStoreKeepsOneTokenPerConnectorInMatrixSyncRecords() {
        InMemoryJournal journal = new InMemoryJournal();
        SyncTokenStore a = SyncTokenStore.journal(journal, "matrix");
        SyncTokenStore b = SyncTokenStore.journal(journal, "other");
        assertThat(a.load()).isEmpty();
        a.save("s1");
        a.save("s2");
        b.save("t9");
        assertThat(SyncTokenStore.journal(journal, "matrix").load()).contains("s2");
        assertThat(journal.states(SyncTokenStore.KIND)).containsEntry("matrix", "s2").containsEntry("other", "t9")
                .hasSize(2);
    }

    @Test
    void theMemoryStoreStartsEmpty() {
        SyncTokenStore s = SyncTokenStore.inMemory();
        assertThat(s.load()).isEmpty();
        s.save("x");
        assertThat(s.load()).contains("x");
    }
}
