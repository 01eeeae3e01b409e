package org.buildduty.core.parse;

import java.util.List;

import org.apache.commons.cli.Option;

import org.buildduty.core.command.CommandSpec;

/**
 * Renders a command's usage line and help text from its {@link CommandSpec}, so they never drift from what the parser
 * accepts.
 *
 * <p>Usage lists the name, the positionals (required ones as {@code <name>}, optional ones as {@code [name]}, a
 * repeating last one followed by {@code ...}) and then the options in the order they were declared (optional ones in
 * brackets, required ones bare). A spec with a hand-written synopsis uses {@code name + " " + synopsis} instead.
 *
 * <pre>{@code
 * force <builder> [--branch B] [--pr N] [--revision SHA] [--reason TEXT]
 * disk <host> [path]
 * maintenance <title> --at TIME --duration D --notify TARGET...
 * }</pre>
 */
public final class UsageFormatter {
    private UsageFormatter() {
    }

    /** The one-line usage of {@code spec}. */
    public static String usage(CommandSpec spec) {
        if (spec.usageOverride().isPresent()) {
            return spec.name() + " " + spec.usageOverride().get();
        }
        StringBuilder out = new StringBuilder(spec.name());
        appendPositionals(out, spec);
        for (Option o : spec.options().getOptions()) {
            out.append(' ');
            String text = optionSynopsis(o);
            out.append(o.isRequired() ? text : "[" + text + "]");
        }
        return out.toString();
    }

    /**
     * The text for {@code help <command>}: the usage line, the summary, one line per option
     * ({@code "  --name VALUE  description"}), then the aliases and the role needed, when there are any.
     */
    public static String help(CommandSpec spec) {
        StringBuilder out = new StringBuilder(usage(spec));
        if (!spec.summary().isBlank()) {
            out.append('\n').append(spec.summary());
        }
        for (Option o : spec.options().getOptions()) {
            out.append("\n  ").append(optionSynopsis(o));
            String desc = o.getDescription();
            if (desc != null && !desc.isBlank()) {
                out.append("  ").append(desc);
            }
        }
        if (!spec.aliases().isEmpty()) {
            out.append("\naliases: ").append(String.join(", ", spec.aliases()));
        }
        spec.requiredRole().ifPresent(role -> out.append("\nneeds role ").append(role));
        return out.toString();
    }

    /** How users type {@code option}: {@code --name}, {@code --name VALUE} or {@code --name VALUE...}. */
    static String optionSynopsis(Option option) {
        String name = displayName(option);
        if (!option.hasArg()) {
            return name;
        }
        String arg = option.hasArgName() ? option.getArgName() : "VALUE";
        if (option.hasArgs()) {
            arg += "...";
        }
        return option.hasOptionalArg() ? name + " [" + arg + "]" : name + " " + arg;
    }

    /** {@code --long}, or {@code -x} for an option declared with a short name only. */
    static String displayName(Option option) {
        return option.hasLongOpt() ? "--" + option.getLongOpt() : "-" + option.getOpt();
    }

    private static void appendPositionals(StringBuilder out, CommandSpec spec) {
        List<String> names = spec.positionalNames();
        int min = spec.minPositionals();
        boolean repeats = spec.maxPositionals() > names.size();
        for (int i = 0; i < names.size(); i++) {
            boolean last = i == names.size() - 1;
            String dots = last && repeats ? "..." : "";
            out.append(' ');
            if (i < min) {
                out.append('<').append(names.get(i)).append('>').append(dots);
            } else {
                out.append('[').append(names.get(i)).append(dots).append(']');
            }
        }
    }
}
