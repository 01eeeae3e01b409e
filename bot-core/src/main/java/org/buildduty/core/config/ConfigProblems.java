package org.buildduty.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Collects every error of a file, so one run of validation reports them all, one line each.
 *
 * <pre>{@code
 * ConfigProblems problems = new ConfigProblems();
 * int port = problems.check(() -> node.require("port").intValue()).orElse(6667);
 * problems.throwIfAny();
 * }</pre>
 */
public final class ConfigProblems {
    private final List<String> errors = new ArrayList<>();

    /** Runs a read; a {@link ConfigException} is recorded and empty returned. */
    public <T> Optional<T> check(Supplier<T> read) {
        try {
            return Optional.ofNullable(read.get());
        } catch (ConfigException e) {
            errors.addAll(e.errors());
            return Optional.empty();
        }
    }

    /** Runs a check that returns nothing. */
    public void run(Runnable check) {
        try {
            check.run();
        } catch (ConfigException e) {
            errors.addAll(e.errors());
        }
    }

    /** Records an error at a node. */
    public void add(ConfigNode at, String message) {
        errors.add(at.where() + ": " + message);
    }

    /** Records a preformatted error line. */
    public void add(String line) {
        errors.add(line);
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Throws one {@link ConfigException} with every error recorded. */
    public void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }
}
