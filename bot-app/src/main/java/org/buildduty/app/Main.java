package org.buildduty.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ClusterSettings;
import org.buildduty.app.config.ConfigLoader;
import org.buildduty.app.logging.LogRedaction;
import org.buildduty.app.store.BotJournal;
import org.buildduty.app.store.PostgresJournal;
import org.buildduty.app.store.PostgresLeadership;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.time.Durations;
import org.buildduty.core.time.Ticker;

/**
 * {@code java -jar buildduty.jar --config FILE}: loads and validates the configuration and runbooks, opens the
 * journal, reports operations a previous run left behind, and serves until end of console input or a signal.
 * Exit status: 0 after a clean stop at end of console input (143, the JVM's, after SIGTERM), 2 for a configuration,
 * runbook or journal error (one line each on stderr), 70 for a leader that lost its lease, epoch or journal connection.
 * SIGHUP reloads the runbooks, roles, people and inventory from the same file, as the {@code reload} command does.
 *
 * <p>{@code java -jar buildduty.jar journal copy ...} copies a SQLite journal into PostgreSQL instead
 * ({@link JournalCommand}).
 */
public final class Main {
    /** Exit status for configuration and start-up errors. */
    static final int CONFIG_ERROR = 2;
    /** Exit status of a leader that lost its lease, epoch or journal connection: a standby may lead now. */
    static final int LOST_LEADERSHIP = 70;
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, System.getenv()));
    }

    /** The journal this instance leads on, and how it came to lead. */
    private record Led(BotJournal journal, Bot.Leading leading) {
    }

    /**
     * Stands by until this instance leads the instances that share the PostgreSQL journal, printing
     * {@code buildduty standby: leader is NAME (epoch N)} whenever the leader it waits for changes; a lost connection
     * while standing by is retried. The first connection's failure is a start-up error ({@link JournalException}).
     */
    private static Led lead(BotConfig cfg, PrintStream err) throws InterruptedException {
        ClusterSettings cluster = cfg.bot().cluster();
        boolean first = true;
        while (true) {
            PostgresJournal journal;
            try {
                journal = (PostgresJournal) Bot.openJournal(cfg, Ticker.system());
            } catch (JournalException e) {
                if (first) {
                    throw e;
                }
                LOG.warn("standby: {}; trying again in {}", e.getMessage(), Durations.compact(cluster.heartbeat()));
                Thread.sleep(cluster.heartbeat().toMillis());
                continue;
            }
            first = false;
            PostgresLeadership leadership = new PostgresLeadership(journal, cluster.instance(), cluster.heartbeat(),
                    cluster.takeoverAfter(), Main::halt);
            PostgresLeadership.Won won;
            try {
                won = leadership.await(leader -> err.println("buildduty standby: leader is "
                        + (leader.instance().isEmpty() ? "an instance starting" : leader.instance()) + " (epoch "
                        + leader.epoch() + ")"));
            } catch (JournalException e) {
                LOG.warn("standby: {}; connecting again", e.getMessage());
                try {
                    journal.close();
                } catch (JournalException closing) {
                    LOG.debug("closing the lost journal", closing);
                }
                Thread.sleep(cluster.heartbeat().toMillis());
                continue;
            }
            boolean other = !won.previous().isEmpty() && !won.previous().equals(cluster.instance());
            String cause = other && won.failover() ? "the bot failed over from " + won.previous() : Engine.RESTARTED;
            Optional<Bot.Takeover> takeover = Optional.empty();
            Optional<Instant> gapFrom = won.failover() ? won.lastHeartbeat() : won.stoppedAt();
            if (other && gapFrom.isPresent()) {
                takeover = Optional.of(new Bot.Takeover(cluster.instance(), won.epoch(), won.previous(),
                        gapFrom.get(), won.at(), won.failover()));
            }
            return new Led(journal, new Bot.Leading(Optional.of(leadership), cause, takeover));
        }
    }

    /** The configuration a standby takes over with, and its catalog (made once, on the takeover's path). */
    private record Taking(BotConfig cfg, Catalog catalog) {
    }

    /**
     * The configuration as the file says now, for a standby taking over; if it no longer loads (or moved to another
     * journal), the one checked at start, with the problems logged.
     */
    private static Taking current(Supplier<BotConfig> source, BotConfig started) {
        try {
            BotConfig now = source.get();
            if (!now.bot().cluster().postgres().equals(started.bot().cluster().postgres())
                    || !now.bot().cluster().instance().equals(started.bot().cluster().instance())) {
                LOG.warn("the configuration file now names another journal or instance; taking over with the one "
                        + "read at start (restart to use the new one)");
                return new Taking(started, Catalog.of(started));
            }
            Catalog catalog = Catalog.of(now);
            LogRedaction.install(Secrets.redactor(now));
            return new Taking(now, catalog);
        } catch (ConfigException e) {
            LOG.warn("the configuration file no longer loads ({}); taking over with the one read at start",
                    String.join(" | ", e.errors()));
            return new Taking(started, Catalog.of(started));
        }
    }

    /** A leader that may have been replaced stops at once: no shutdown hook, no last line, exit status 70. */
    private static void halt(String why) {
        System.err.println("buildduty: " + why + "; exiting (" + LOST_LEADERSHIP + ")");
        System.err.flush();
        Runtime.getRuntime().halt(LOST_LEADERSHIP);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        if (args.length > 0 && args[0].equals("journal")) {
            return JournalCommand.run(args, out, err, env);
        }
        if (afterConfig(args).equals("journal")) {
            err.println("buildduty: unexpected argument journal (journal copy comes first and takes no --config: "
                    + JournalCommand.USAGE + ")");
            return CONFIG_ERROR;
        }
        Options options = new Options()
                .addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
                        .desc("configuration file (default config/buildduty.yml)").get())
                .addOption(Option.builder().longOpt("check")
                        .desc("validate the configuration and runbooks, then exit").get())
                .addOption(Option.builder().longOpt("help").desc("show this help").get());
        CommandLine line;
        try {
            line = DefaultParser.builder().get().parse(options, args);
        } catch (ParseException e) {
            err.println("buildduty: " + e.getMessage());
            return CONFIG_ERROR;
        }
        if (line.hasOption("help")) {
            out.println("usage: buildduty [--config FILE] [--check]");
            for (Option o : options.getOptions()) {
                out.println("  --" + o.getLongOpt() + (o.hasArg() ? " " + o.getArgName() : "") + "  "
                        + o.getDescription());
            }
            out.println("       " + JournalCommand.USAGE);
            out.println("  copies a SQLite journal into an empty PostgreSQL database (journal copy --help)");
            return 0;
        }
        if (!line.getArgList().isEmpty()) {
            err.println("buildduty: unexpected argument " + line.getArgList().get(0) + " (see --help)");
            return CONFIG_ERROR;
        }
        Path file = Path.of(line.getOptionValue("config", "config/buildduty.yml"));
        Bot bot;
        String readyAs = "";
        try {
            BotConfig cfg = ConfigLoader.load(file, env);
            LogRedaction.install(Secrets.redactor(cfg));
            if (line.hasOption("check")) {
                Catalog checked = Catalog.of(cfg);
                checked.warnings().forEach(err::println);
                out.println(file + ": ok (" + count(checked.registry().all().size(), "command") + ", "
                        + count(checked.runbookCount(), "runbook")
                        + (checked.warnings().isEmpty() ? "" : ", " + count(checked.warnings().size(), "warning"))
                        + ")");
                return 0;
            }
            Supplier<BotConfig> source = () -> ConfigLoader.load(file, env, cfg.baseDir());
            if (cfg.bot().cluster().postgres().isPresent()) {
                Catalog.of(cfg);   // a standby checks its configuration now, not when it takes over
                // a standby reads the file again when it takes over; meanwhile SIGHUP has nothing to reload
                Hangup.handle(() -> LOG.info("SIGHUP: standing by; the configuration is read again at takeover"));
                Led led = lead(cfg, err);
                Taking now = current(source, cfg);
                bot = Bot.build(now.cfg(), now.catalog(), () -> ConfigLoader.load(file, env, now.cfg().baseDir()), in,
                        out, led.journal(), led.leading());
                readyAs = "leader (epoch " + led.leading().leadership().orElseThrow().epoch() + ") ";
            } else {
                bot = Bot.build(cfg, source, in, out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CONFIG_ERROR;
        } catch (ConfigException e) {
            e.errors().forEach(l -> err.println(l));
            e.warnings().forEach(l -> err.println(l));
            return CONFIG_ERROR;
        } catch (JournalException e) {
            err.println("buildduty: " + e.getMessage());
            return CONFIG_ERROR;
        }
        Thread hook = new Thread(bot::close, "buildduty-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            // a signal came while the bot was being built: stop without starting it
            bot.close();
            return 0;
        }
        bot.reportConnectionsTo(err);
        try {
            bot.start();
        } catch (BuilddutyException e) {
            if (bot.closing()) {
                // SIGTERM while start-up waited for a connection: the hook stops the bot; that is a clean stop
                return 0;
            }
            err.println("buildduty: " + e.getMessage());
            bot.close();
            removeHook(hook);
            return CONFIG_ERROR;
        }
        if (bot.closing()) {
            return 0;
        }
        bot.reloadOnHangup();
        err.println("buildduty ready: " + readyAs + count(bot.commandCount(), "command") + ", "
                + count(bot.runbookCount(), "runbook")
                + (bot.hasConsole() ? "; type help (Ctrl-D to quit)" : "; stop with SIGTERM"));
        try {
            bot.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        bot.close();
        removeHook(hook);
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs close(), which is idempotent
        }
    }

    /** {@code 1 runbook}, {@code 6 runbooks}. */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** The first argument after any {@code --config FILE} (what {@code ./buildduty} puts in front), or "". */
    private static String afterConfig(String[] args) {
        int i = 0;
        while (i < args.length && (args[i].equals("--config") || args[i].startsWith("--config="))) {
            i += args[i].equals("--config") ? 2 : 1;
        }
        return i < args.length ? args[i] : "";
    }
}
