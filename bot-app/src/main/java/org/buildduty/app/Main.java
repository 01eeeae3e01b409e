package org.buildduty.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConfigLoader;
import org.buildduty.app.logging.LogRedaction;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.journal.JournalException;

/**
 * {@code java -jar buildduty.jar --config FILE}: loads and validates the configuration and runbooks, opens the
 * journal, reports operations a previous run left behind, and serves until end of console input or a signal.
 * Exit status: 0 after a clean stop, 2 for a configuration, runbook or journal error (one line each on stderr).
 * SIGHUP reloads the runbooks, roles, people and inventory from the same file, as the {@code reload} command does.
 *
 * <p>{@code java -jar buildduty.jar journal copy ...} copies a SQLite journal into PostgreSQL instead
 * ({@link JournalCommand}).
 */
public final class Main {
    /** Exit status for configuration and start-up errors. */
    static final int CONFIG_ERROR = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, System.getenv()));
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
        try {
            BotConfig cfg = ConfigLoader.load(file, env);
            LogRedaction.install(Secrets.redactor(cfg));
            if (line.hasOption("check")) {
                Bot.Catalog checked = Bot.catalog(cfg);
                out.println(file + ": ok (" + checked.registry().all().size() + " commands, "
                        + checked.runbookCount() + " runbooks)");
                return 0;
            }
            bot = Bot.build(cfg, () -> ConfigLoader.load(file, env, cfg.baseDir()), in, out);
        } catch (ConfigException e) {
            e.errors().forEach(l -> err.println(l));
            return CONFIG_ERROR;
        } catch (JournalException e) {
            err.println("buildduty: " + e.getMessage());
            return CONFIG_ERROR;
        }
        Thread hook = new Thread(bot::close, "buildduty-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            bot.start();
        } catch (BuilddutyException e) {
            err.println("buildduty: " + e.getMessage());
            bot.close();
            Runtime.getRuntime().removeShutdownHook(hook);
            return CONFIG_ERROR;
        }
        bot.reloadOnHangup();
        err.println("buildduty ready: " + bot.commandCount() + " commands, " + bot.runbookCount() + " runbooks"
                + (bot.hasConsole() ? "; type help (Ctrl-D to quit)" : "; stop with SIGTERM"));
        try {
            bot.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        bot.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs close(), which is idempotent
        }
        return 0;
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
