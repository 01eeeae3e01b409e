package org.buildduty.app;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.app.config.BotSettings;
import org.buildduty.app.store.BotJournal;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.BotService;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.time.Ticker;

/**
 * {@code bot.retention}: prunes the journal at start and then once a day, as the engine's clock says (its tick,
 * with the injected {@link Ticker}), on a thread of its own so the tick never waits for the database. What is pruned
 * is decided by {@link BotJournal#prune}: the output of operations that ended more than {@code keep} ago, never
 * a live one, always keeping the newest {@code min_operations} ended ones whole.
 */
final class JournalRetention implements BotService {
    /** How often it prunes. */
    static final Duration EVERY = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(JournalRetention.class);

    private final BotJournal journal;
    private final BotSettings.Retention retention;
    private final Executor executor;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Ticker ticker;
    private Instant next = Instant.MIN;

    /** @param executor where a pruning runs; a thread of its own in the bot, the caller's thread in tests */
    JournalRetention(BotJournal journal, BotSettings.Retention retention, Executor executor) {
        this.journal = journal;
        this.retention = retention;
        this.executor = executor;
    }

    @Override
    public String name() {
        return "retention";
    }

    @Override
    public void start(BotApi bot) {
        start(bot.ticker());
    }

    /** Starts on this clock: prunes now, then a day after each pruning. */
    synchronized void start(Ticker clock) {
        this.ticker = clock;
        tick();
    }

    @Override
    public synchronized void tick() {
        Ticker t = ticker;
        if (t == null) {
            return;
        }
        Instant now = t.now();
        if (now.isBefore(next) || !busy.compareAndSet(false, true)) {
            return;
        }
        next = now.plus(EVERY);
        executor.execute(() -> {
            try {
                prune(now);
            } finally {
                busy.set(false);
            }
        });
    }

    /** One pruning as of {@code now}; failures are logged, the next day tries again. */
    void prune(Instant now) {
        try {
            BotJournal.Pruned p = journal.prune(now.minus(retention.keep()), retention.minOperations(),
                    retention.note());
            if (p.operations() > 0) {
                LOG.info("retention: pruned the output of {} operations ({} lines; {}); journal {} -> {}"
                        + " bytes", p.operations(), p.lines(), retention.note(), p.bytesBefore(), p.bytesAfter());
            }
        } catch (JournalException e) {
            LOG.error("retention: cannot prune the journal; trying again in a day", e);
        }
    }

    @Override
    public synchronized void close() {
        ticker = null;
    }
}
