package org.buildduty.commands.buildbot;

import java.util.Locale;

/** Buildbot's result codes ({@code process/results.py}), with the labels Buildbot shows. */
public enum Results {
    SUCCESS(0), WARNINGS(1), FAILURE(2), SKIPPED(3), EXCEPTION(4), RETRY(5), CANCELLED(6);

    private final int code;

    Results(int code) {
        this.code = code;
    }

    /** The numeric code Buildbot sends. */
    public int code() {
        return code;
    }

    /** Buildbot's label: {@code success}, {@code failure}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for SUCCESS and WARNINGS: the build did its job. */
    public boolean passed() {
        return this == SUCCESS || this == WARNINGS;
    }

    /**
     * The result with this code.
     *
     * @throws IllegalArgumentException for a code Buildbot 3.7 does not define
     */
    public static Results of(int code) {
        for (Results r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown Buildbot result code " + code);
    }

    /** The label of a result code that may be null (not finished) or unknown. */
    public static String labelOf(Integer code) {
        if (code == null) {
            return "not finished";
        }
        return code >= 0 && code <= 6 ? of(code).label() : "results " + code;
    }
}
