package org.buildduty.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import org.buildduty.app.store.JournalCopy;
import org.buildduty.core.journal.JournalException;

/**
 * {@code buildduty journal copy --from FILE --to URL [--password-env VAR | --password-file FILE]}: copies a SQLite
 * journal into an empty PostgreSQL database ({@link JournalCopy}) and prints a one-line summary. The password never
 * comes from the command line. Exit status 0 after a copy, 2 with one line on stderr otherwise.
 */
final class JournalCommand {
    static final String USAGE = "buildduty journal copy --from FILE --to postgresql://HOST:PORT/DB?user=USER "
            + "[--password-env VAR | --password-file FILE]";

    private JournalCommand() {
    }

    /** {@code args} starts with {@code journal}. */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        if (args.length < 2 || !args[1].equals("copy")) {
            String what = args.length < 2 ? "a journal command is missing" : "unknown journal command " + args[1];
            return fail(err, what + " (usage: " + USAGE + ")");
        }
        Options options = new Options()
                .addOption(Option.builder().longOpt("from").hasArg().argName("FILE")
                        .desc("the SQLite journal to copy (the bot using it must be stopped)").get())
                .addOption(Option.builder().longOpt("to").hasArg().argName("URL")
                        .desc("the PostgreSQL database, empty: postgresql://HOST:PORT/DB?user=USER").get())
                .addOption(Option.builder().longOpt("password-env").hasArg().argName("VAR")
                        .desc("read the password from this environment variable").get())
                .addOption(Option.builder().longOpt("password-file").hasArg().argName("FILE")
                        .desc("read the password from this file (its first line)").get())
                .addOption(Option.builder().longOpt("help").desc("show this help").get());
        String[] rest = Arrays.copyOfRange(args, 2, args.length);
        for (String arg : rest) {
            if (arg.equals("--password") || arg.startsWith("--password=")) {
                return fail(err, "journal copy: the password never goes on the command line; use --password-env VAR"
                        + " or --password-file FILE");
            }
        }
        CommandLine line;
        try {
            line = DefaultParser.builder().setAllowPartialMatching(false).get().parse(options, rest);
        } catch (ParseException e) {
            return fail(err, "journal copy: " + e.getMessage());
        }
        if (line.hasOption("help")) {
            out.println("usage: " + USAGE);
            out.println("copies every operation, output line and record of a SQLite journal into an empty PostgreSQL"
                    + " database, keeping their ids");
            for (Option o : options.getOptions()) {
                out.println("  --" + o.getLongOpt() + (o.hasArg() ? " " + o.getArgName() : "") + "  "
                        + o.getDescription());
            }
            return 0;
        }
        if (!line.getArgList().isEmpty()) {
            return fail(err, "journal copy: unexpected argument " + line.getArgList().get(0) + " (usage: " + USAGE
                    + ")");
        }
        for (String required : new String[] {"from", "to"}) {
            if (!line.hasOption(required)) {
                return fail(err, "journal copy: --" + required + " is missing (usage: " + USAGE + ")");
            }
        }
        String password;
        try {
            password = password(line, env);
        } catch (IllegalArgumentException e) {
            return fail(err, "journal copy: " + e.getMessage());
        }
        try {
            JournalCopy.Result result = JournalCopy.copy(Path.of(line.getOptionValue("from")),
                    line.getOptionValue("to"), password);
            out.println(result.summary());
            return 0;
        } catch (JournalException e) {
            return fail(err, e.getMessage());
        }
    }

    /** The password from {@code --password-env} or {@code --password-file}, or null when neither is given. */
    private static String password(CommandLine line, Map<String, String> env) {
        if (line.hasOption("password-env") && line.hasOption("password-file")) {
            throw new IllegalArgumentException("give --password-env or --password-file, not both");
        }
        if (line.hasOption("password-env")) {
            String var = line.getOptionValue("password-env");
            String value = env.get(var);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("--password-env " + var + ": the environment variable is not set"
                        + " or empty");
            }
            return value;
        }
        if (line.hasOption("password-file")) {
            String file = line.getOptionValue("password-file");
            String text;
            try {
                text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("--password-file " + file + ": cannot read it (" + e + ")");
            }
            String first = text.lines().findFirst().orElse("");
            if (first.isEmpty()) {
                throw new IllegalArgumentException("--password-file " + file + ": its first line is empty");
            }
            return first;
        }
        return null;
    }

    private static int fail(PrintStream err, String message) {
        err.println("buildduty: " + message.replace('\n', ' '));
        return Main.CONFIG_ERROR;
    }
}
