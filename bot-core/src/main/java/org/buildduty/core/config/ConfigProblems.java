package org.buildduty.core.config;

import java.util.ArrayList;
import java.util.Comparator;
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

    /**
     * The errors of one file ordered by line number (stable: errors of one line keep the order they were found in);
     * lines that do not start with {@code file:line:} go last.
     */
    public static List<String> byLine(String file, List<String> errors) {
        List<String> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(e -> lineOf(file, e)));
        return sorted;
    }

    private static int lineOf(String file, String error) {
        if (!error.startsWith(file + ":")) {
            return Integer.MAX_VALUE;
        }
        int start = file.length() + 1;
        int end = start;
        while (end < error.length() && Character.isDigit(error.charAt(end)) && end - start < 9) {
            end++;
        }
        return end == start ? Integer.MAX_VALUE : Integer.parseInt(error.substring(start, end));
    }

    /** Throws one {@link ConfigException} with every error recorded. */
    public void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }
}
