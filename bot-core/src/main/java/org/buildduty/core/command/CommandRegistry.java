package org.buildduty.core.command;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.buildduty.core.BuilddutyException;

/**
 * Every command by name and alias. Two-word names ({@code mbs watch}) win over one-word names ({@code mbs}) when the
 * typed line starts with both words. A live reload {@link #replaceWith replaces} every command at once: a lookup sees
 * the whole old set or the whole new one.
 */
public final class CommandRegistry implements CommandRules {
    private final Map<String, CommandSpec> byName = new LinkedHashMap<>();
    private final List<CommandSpec> specs = new ArrayList<>();
    /** Words of commands whose service is not configured, and the one line that says how to enable it. */
    private final Map<String, String> notConfigured = new LinkedHashMap<>();

    /**
     * Remembers that {@code name} is a command of a service this bot has no configuration for: a line starting with
     * it is answered {@code line} instead of {@code unknown command}. A real command of that name wins.
     */
    public synchronized CommandRegistry notConfigured(String name, String line) {
        notConfigured.put(name.toLowerCase(Locale.ROOT), line);
        return this;
    }

    /** The "not configured" line for a tokenized line no command matched, if its first word is such a command. */
    public synchronized Optional<String> notConfigured(List<String> tokens) {
        if (tokens.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(notConfigured.get(tokens.get(0).toLowerCase(Locale.ROOT)));
    }

    @Override
    public synchronized CommandRegistry register(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        names.add(spec.name());
        names.addAll(spec.aliases());
        for (String n : names) {
            if (byName.containsKey(n)) {
                throw new BuilddutyException("command name taken twice: " + n);
            }
        }
        names.forEach(n -> byName.put(n, spec));
        specs.add(spec);
        return this;
    }

    /**
     * Takes every command of {@code next}, in its order, in one step: the commands of this registry are forgotten
     * (a live reload of the runbooks).
     */
    public void replaceWith(CommandRegistry next) {
        Map<String, CommandSpec> names;
        List<CommandSpec> all;
        Map<String, String> missing;
        synchronized (next) {
            names = new LinkedHashMap<>(next.byName);
            all = new ArrayList<>(next.specs);
            missing = new LinkedHashMap<>(next.notConfigured);
        }
        synchronized (this) {
            byName.clear();
            byName.putAll(names);
            specs.clear();
            specs.addAll(all);
            notConfigured.clear();
            notConfigured.putAll(missing);
        }
    }

    /** A command found for a tokenized line, and how many tokens its name took. */
    public record Match(CommandSpec spec, int nameTokens) {
    }

    /** Finds the command a tokenized line starts with (names are case-insensitive). */
    public synchronized Optional<Match> lookup(List<String> tokens) {
        if (tokens.isEmpty()) {
            return Optional.empty();
        }
        String first = tokens.get(0).toLowerCase(Locale.ROOT);
        if (tokens.size() > 1) {
            CommandSpec two = byName.get(first + " " + tokens.get(1).toLowerCase(Locale.ROOT));
            if (two != null) {
                return Optional.of(new Match(two, 2));
            }
        }
        return Optional.ofNullable(byName.get(first)).map(s -> new Match(s, 1));
    }

    /** A command by its exact name or alias. */
    public synchronized Optional<CommandSpec> get(String name) {
        return Optional.ofNullable(byName.get(name.toLowerCase(Locale.ROOT)));
    }

    /** All commands in registration order. */
    public synchronized List<CommandSpec> all() {
        return Collections.unmodifiableList(new ArrayList<>(specs));
    }

    /** All names and aliases, for close-match suggestions. */
    public synchronized Collection<String> names() {
        return new ArrayList<>(byName.keySet());
    }
}
