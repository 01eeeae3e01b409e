package org.buildduty.core.journal;

/**
 * The durable record of everything the bot does, in three roles: the engine's writes ({@link JournalWriter}), the
 * history that commands and the web page read ({@link JournalHistory}), and the state records of long-lived
 * features ({@link StateRecords}). An implementation (SQLite in the app, in memory in tests) plays all three.
 *
 * <p>Every write is committed before it returns, so a state change is durable before it is announced. A failed
 * write throws {@link JournalException}; callers refuse the command rather than run unjournaled.
 */
public interface Journal extends JournalWriter, JournalHistory, StateRecords, AutoCloseable {
    @Override
    void checkWritable();

    @Override
    void close();
}
