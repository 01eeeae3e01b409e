package org.buildduty.core.command;

/**
 * A long-lived feature beside the commands, such as {@code mbs watch} threads or scheduled maintenance
 * announcements: the engine starts it once its connectors are up, ticks it from its timer, and closes it before
 * the connectors.
 *
 * <p>A service keeps its durable state in the journal ({@link BotApi#stateRecords()}), so
 * {@link #start} resumes what was going on before a restart. Time comes from {@link BotApi#ticker()}, so tests drive
 * it with a fake clock and call {@link #tick()} themselves.
 */
public interface BotService extends AutoCloseable {
    /** A short name for logs. */
    String name();

    /** Resumes from the journal and begins; called once, before the connectors start (they may not send yet). */
    void start(BotApi bot);

    /**
     * Does what is due at {@code bot.ticker().now()}. The engine's timer calls it about ten times a second, so it
     * returns quickly and hands slow work (network calls) to threads of its own.
     */
    void tick();

    /** Stops; durable state stays in the journal. */
    @Override
    void close();
}
