package org.buildduty.core.command;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import org.buildduty.core.auth.Guarded;

/**
 * A command users can type: its name (one or two words, e.g. {@code mbs watch}), options, positional arguments,
 * the role it needs, and its handler. Usage text is generated from this, never written by hand.
 *
 * <pre>{@code
 * CommandSpec.builder("cancel").summary("cancel an operation; its rollbacks run")
 *         .positional("id", 1, 1).handler(ctx -> ...).build();
 * }</pre>
 */
public final class CommandSpec implements Guarded {
    private final String name;
    private final List<String> aliases;
    private final String summary;
    private final Options options;
    private final List<String> positionalNames;
    private final int minPositionals;
    private final int maxPositionals;
    private final String requiredRole;
    private final String usageOverride;
    private final boolean rawArgs;
    private final CommandHandler handler;
    private final ApprovalRecheck recheck;
    private final Set<String> dashValues;

    private CommandSpec(Builder b) {
        this.name = b.name;
        this.aliases = List.copyOf(b.aliases);
        this.summary = b.summary;
        this.options = b.options;
        this.positionalNames = List.copyOf(b.positionalNames);
        this.minPositionals = b.minPositionals;
        this.maxPositionals = b.maxPositionals;
        this.requiredRole = b.requiredRole;
        this.usageOverride = b.usageOverride;
        this.rawArgs = b.rawArgs;
        this.handler = Objects.requireNonNull(b.handler, "handler of " + b.name);
        this.recheck = b.recheck;
        this.dashValues = Set.copyOf(b.dashValues);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The name users type: one word, or two for a subcommand ({@code mbs watch}). */
    @Override
    public String name() {
        return name;
    }

    public List<String> aliases() {
        return aliases;
    }

    public String summary() {
        return summary;
    }

    /** The Commons CLI options; long names only are shown to users. */
    public Options options() {
        return options;
    }

    /** Names of the positional arguments, in order; the last may repeat when max exceeds their count. */
    public List<String> positionalNames() {
        return positionalNames;
    }

    public int minPositionals() {
        return minPositionals;
    }

    /** Largest number of positionals; {@link Integer#MAX_VALUE} for "the rest of the line". */
    public int maxPositionals() {
        return maxPositionals;
    }

    /** The role needed to run it; empty means anyone the configuration lets in. */
    @Override
    public Optional<String> requiredRole() {
        return Optional.ofNullable(requiredRole);
    }

    /** A hand-written argument synopsis, for commands whose options depend on each other; else empty. */
    public Optional<String> usageOverride() {
        return Optional.ofNullable(usageOverride);
    }

    /**
     * True when the tokens after the name go to the handler untouched as positionals, options included
     * ({@code run demo --message hi}): the parser applies no options, so the handler parses them itself.
     */
    public boolean rawArgs() {
        return rawArgs;
    }

    public CommandHandler handler() {
        return handler;
    }

    /** The check an approved plan of this command goes through before it runs, if any. */
    public Optional<ApprovalRecheck> recheck() {
        return Optional.ofNullable(recheck);
    }

    /**
     * True when the value of the long option {@code longName} may start with {@code -} (see
     * {@link Builder#dashValue}); every other option value starting with {@code -} is refused.
     */
    public boolean allowsDashValue(String longName) {
        return dashValues.contains(longName);
    }

    /** Builds a {@link CommandSpec}. */
    public static final class Builder {
        private final String name;
        private final List<String> aliases = new ArrayList<>();
        private String summary = "";
        private final Options options = new Options();
        private final List<String> positionalNames = new ArrayList<>();
        private int minPositionals;
        private int maxPositionals;
        private String requiredRole;
        private String usageOverride;
        private boolean rawArgs;
        private CommandHandler handler;
        private ApprovalRecheck recheck;
        private final Set<String> dashValues = new HashSet<>();

        private Builder(String name) {
            if (!name.matches("[a-z][a-z0-9-]*( [a-z][a-z0-9-]*)?")) {
                throw new IllegalArgumentException("bad command name: " + name);
            }
            this.name = name;
        }

        public Builder alias(String alias) {
            aliases.add(alias);
            return this;
        }

        public Builder summary(String text) {
            this.summary = text;
            return this;
        }

        public Builder option(Option option) {
            options.addOption(option);
            return this;
        }

        /** A {@code --name VALUE} option. */
        public Builder valueOption(String longName, String argName, String description) {
            return option(Option.builder().longOpt(longName).hasArg().argName(argName).desc(description).get());
        }

        /**
         * Lets the value of the option {@code longName} start with {@code -} (a runbook parameter with
         * {@code allow_dash: true}); {@code --name -x} is then read as {@code --name=-x}.
         */
        public Builder dashValue(String longName) {
            dashValues.add(longName);
            return this;
        }

        /** A {@code --name} flag. */
        public Builder flag(String longName, String description) {
            return option(Option.builder().longOpt(longName).desc(description).get());
        }

        /** Positional arguments: their names, and how many may be given. */
        public Builder positional(String names, int min, int max) {
            for (String n : names.split(" ")) {
                if (!n.isEmpty()) {
                    positionalNames.add(n);
                }
            }
            this.minPositionals = min;
            this.maxPositionals = max;
            return this;
        }

        public Builder role(String role) {
            this.requiredRole = role;
            return this;
        }

        public Builder usage(String synopsis) {
            this.usageOverride = synopsis;
            return this;
        }

        /** Passes every token after the name to the handler as a positional, untouched (see {@link #rawArgs()}). */
        public Builder rawArgs() {
            this.rawArgs = true;
            return this;
        }

        public Builder handler(CommandHandler h) {
            this.handler = h;
            return this;
        }

        /** Checks an approved plan of this command just before it runs (see {@link ApprovalRecheck}). */
        public Builder recheck(ApprovalRecheck r) {
            this.recheck = r;
            return this;
        }

        public CommandSpec build() {
            return new CommandSpec(this);
        }
    }
}
