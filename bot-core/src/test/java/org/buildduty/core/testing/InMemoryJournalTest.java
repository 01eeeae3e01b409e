package org.buildduty.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import org.buildduty.core.journal.Journal;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.operation.OperationState;

class InMemoryJournalTest extends JournalContract {
    @Override
    protected Journal open() {
        return new InMemoryJournal();
    }

    @Override
    protected void simulateDiskFull(boolean full) {
        ((InMemoryJournal) journal).failWrites(full);
    }

    @Test
    void failWritesAlsoRefusesIdAllocation() {
        create(OperationState.QUEUED);
        simulateDiskFull(true);
        assertThatThrownBy(() -> journal.nextOperationId()).isInstanceOf(JournalException.class);
        assertThat(journal.unfinished()).hasSize(1);
    }

    @Test
    void aClosedJournalRefusesWrites() {
        journal.close();
        assertThat(((InMemoryJournal) journal).isClosed()).isTrue();
        assertThatThrownBy(() -> journal.checkWritable()).isInstanceOf(JournalException.class)
                .hasMessageContaining("closed");
    }
}
