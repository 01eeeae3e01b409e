package org.buildduty.core.parse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

import org.buildduty.core.UsageException;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.ParsedArgs;

/**
 * Parses the words after a command's name against its {@link CommandSpec}: long options through Commons CLI's
 * {@link DefaultParser}, the rest as positionals, with stricter rules than Commons CLI so that chat text cannot smuggle
 * options into a later command line.
 *
 * <p>Users type {@code --name value} or {@code --name=value}; {@code --} ends the options and everything after it is
 * positional. Every failure is a {@link UsageException} whose one-line message ends with {@code "; usage: "} and the
 * command's usage. Refused:
 * <ul>
 *   <li>an unknown option, or an abbreviated one (no partial matching), with a close match when there is one;</li>
 *   <li>any word starting with a single {@code -} before {@code --} ({@code -x}, {@code -abc}, {@code -}): short
 *       options and their clustering are not offered to chat users;</li>
 *   <li>an option value that starts with {@code -} ({@code --masters=-oProxyCommand=...}), unless the spec allows
 *       it for that option ({@link CommandSpec#allowsDashValue}), or is empty, and a missing value;</li>
 *   <li>a value given to a flag ({@code --dry-run=yes}), and an option given twice unless it takes several
 *       values;</li>
 *   <li>a missing required option, and a positional count outside the spec's range.</li>
 * </ul>
 * Words after {@code --} may start with {@code -}; their parameter types validate them later.
 *
 * <pre>{@code
 * ParsedArgs args = OptionsParser.parse(force, List.of("tests", "--branch=main", "--reason", "flaky"));
 * args.positional(0);        // Optional[tests]
 * args.option("branch");     // Optional[main]
 * }</pre>
 *
 * <p>Options should have long names: an option declared with a short name only cannot be typed.
 */
public final class OptionsParser {
    /** Words from the user are cut to this many characters when echoed in an error. */
    static final int SHOWN = 40;

    private OptionsParser() {
    }

    /**
     * Parses {@code args}, the words typed after the command's name.
     *
     * @throws UsageException if the words do not fit the spec
     */
    public static ParsedArgs parse(CommandSpec spec, List<String> args) {
        if (spec.rawArgs()) {
            checkCount(spec, args.size());
            return new ParsedArgs(CommandLine.builder().get(), args);
        }
        List<String> words = check(spec, args);
        // no words: DefaultParser would only build an empty command line, at a cost most commands would pay
        CommandLine line = words.isEmpty() ? CommandLine.builder().get() : parseWith(spec.options(), words, spec);
        for (Option o : line.getOptions()) {
            for (String value : o.getValuesList()) {
                checkValue(spec, o, value);
            }
        }
        List<String> positionals = line.getArgList();
        checkCount(spec, positionals.size());
        return new ParsedArgs(line, positionals);
    }

    private static CommandLine parseWith(Options options, List<String> args, CommandSpec spec) {
        CommandLine line;
        try {
            line = DefaultParser.builder()
                    .setAllowPartialMatching(false)
                    .setStripLeadingAndTrailingQuotes(false)
                    .get()
                    .parse(options, args.toArray(new String[0]));
        } catch (ParseException e) {
            // check() refuses everything DefaultParser would; this is a safety net that still answers with usage.
            throw usage(spec, "cannot parse the options of " + spec.name() + ": "
                    + Sanitize.forDisplay(e.getMessage(), 80));
        }
        return line;
    }

    /**
     * Walks the words the way DefaultParser does and refuses what must not reach it; returns the words for
     * DefaultParser, with {@code --name -x} joined to {@code --name=-x} for an option that allows such a value
     * (DefaultParser could read {@code -x} as an option).
     */
    private static List<String> check(CommandSpec spec, List<String> args) {
        Options options = spec.options();
        if (args.isEmpty() && options.getRequiredOptions().isEmpty()) {
            return List.of();
        }
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>(args);
        for (int i = 0; i < args.size(); i++) {
            String word = args.get(i);
            if (word.equals("--")) {
                break;
            }
            if (!word.startsWith("-")) {
                continue;
            }
            int eq = word.indexOf('=');
            String name = word.substring(word.startsWith("--") ? 2 : 1, eq < 0 ? word.length() : eq);
            Option option = word.startsWith("--") ? longOption(options, name) : null;
            if (option == null) {
                throw unknownOption(spec, eq < 0 || name.isEmpty() ? word : word.substring(0, eq), name);
            }
            String shown = UsageFormatter.displayName(option);
            if (!seen.add(option.getKey()) && !option.hasArgs()) {
                throw usage(spec, "option " + shown + " given twice");
            }
            if (!option.hasArg()) {
                if (eq >= 0) {
                    throw usage(spec, "option " + shown + " takes no value");
                }
                continue;
            }
            int values = 0;
            if (eq >= 0) {
                checkValue(spec, option, word.substring(eq + 1));
                values = 1;
            } else {
                int max = option.getArgs() == Option.UNLIMITED_VALUES ? Integer.MAX_VALUE : option.getArgs();
                while (values < max && i + 1 < args.size() && !endsValues(options, args.get(i + 1))) {
                    checkValue(spec, option, args.get(++i));
                    values++;
                }
                if (values == 1 && max == 1 && args.get(i).startsWith("-")) {
                    out.set(i - 1, null);
                    out.set(i, "--" + option.getLongOpt() + "=" + args.get(i));
                }
            }
            if (values == 0 && !option.hasOptionalArg()) {
                throw usage(spec, "option " + shown + " needs a value (" + UsageFormatter.optionSynopsis(option) + ")");
            }
        }
        for (Object key : options.getRequiredOptions()) {
            Option o = options.getOption(key.toString());
            if (!seen.contains(o.getKey())) {
                throw usage(spec, "missing " + UsageFormatter.optionSynopsis(o) + " for " + spec.name());
            }
        }
        out.removeIf(Objects::isNull);
        return out;
    }

    /** True if {@code next} is not a value of the option before it: {@code --} or a known option. */
    private static boolean endsValues(Options options, String next) {
        if (next.equals("--")) {
            return true;
        }
        if (!next.startsWith("--")) {
            return false;
        }
        int eq = next.indexOf('=');
        return longOption(options, next.substring(2, eq < 0 ? next.length() : eq)) != null;
    }

    /** The option whose long name is exactly {@code name}, else null. */
    private static Option longOption(Options options, String name) {
        if (name.isEmpty() || name.startsWith("-") || !options.hasLongOption(name)) {
            return null;
        }
        for (Option o : options.getOptions()) {
            if (name.equals(o.getLongOpt())) {
                return o;
            }
        }
        return null;
    }

    private static void checkValue(CommandSpec spec, Option option, String value) {
        String shown = UsageFormatter.displayName(option);
        if (value.isEmpty()) {
            throw usage(spec, "value of " + shown + " must not be empty");
        }
        if (value.startsWith("-") && !spec.allowsDashValue(option.getLongOpt())) {
            throw usage(spec, "value of " + shown + " must not start with '-'");
        }
    }

    private static void checkCount(CommandSpec spec, int count) {
        List<String> names = spec.positionalNames();
        if (count < spec.minPositionals()) {
            String what = names.isEmpty()
                    ? "an argument"
                    : "<" + names.get(Math.min(count, names.size() - 1)) + ">";
            throw usage(spec, "missing " + what + " for " + spec.name());
        }
        if (count > spec.maxPositionals()) {
            int max = spec.maxPositionals();
            String limit = max == 0 ? "no arguments" : "at most " + max + (max == 1 ? " argument" : " arguments");
            throw usage(spec, spec.name() + " takes " + limit + ", got " + count);
        }
    }

    private static UsageException unknownOption(CommandSpec spec, String typed, String name) {
        List<String> longNames = new ArrayList<>();
        for (Option o : spec.options().getOptions()) {
            if (o.hasLongOpt()) {
                longNames.add(o.getLongOpt());
            }
        }
        String hint = CloseMatch.closest(name, longNames).map(n -> " - did you mean --" + n + "?").orElse("");
        return usage(spec, "unknown option " + Sanitize.forDisplay(typed, SHOWN) + " for " + spec.name() + hint);
    }

    private static UsageException usage(CommandSpec spec, String message) {
        return new UsageException(message + "; usage: " + UsageFormatter.usage(spec));
    }
}
