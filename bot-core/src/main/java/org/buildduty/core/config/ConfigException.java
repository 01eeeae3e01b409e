package org.buildduty.core.config;

import java.util.List;

import org.buildduty.core.BuilddutyException;

/**
 * A configuration or runbook file is wrong. Each error is one line: {@code file:line: field: what is wrong}.
 */
public final class ConfigException extends BuilddutyException {
    private final List<String> errors;
    private final List<String> warnings;

    public ConfigException(List<String> errors) {
        this(errors, List.of());
    }

    /**
     * Errors, and the warnings found beside them ({@code file:line: field: warning: ...}), so a check that fails
     * still shows everything it found; the message holds the errors only.
     */
    public ConfigException(List<String> errors, List<String> warnings) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
        this.warnings = List.copyOf(warnings);
    }

    public ConfigException(String error) {
        this(List.of(error));
    }

    /** The error lines. */
    public List<String> errors() {
        return errors;
    }

    /** The warning lines found beside the errors, if any. */
    public List<String> warnings() {
        return warnings;
    }
}
