package org.buildduty.core.command;

import java.util.List;
import java.util.Optional;

import org.apache.commons.cli.CommandLine;

/** A command line after tokenizing and option parsing: options (Commons CLI) and positional arguments. */
public record ParsedArgs(CommandLine options, List<String> positionals) {
    public ParsedArgs {
        positionals = List.copyOf(positionals);
    }

    /** The value of {@code --name}, if given. */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.getOptionValue(name));
    }

    /** True if the flag {@code --name} was given. */
    public boolean flag(String name) {
        return options.hasOption(name);
    }

    /** Positional argument {@code i}, if present. */
    public Optional<String> positional(int i) {
        return i < positionals.size() ? Optional.of(positionals.get(i)) : Optional.empty();
    }
}
