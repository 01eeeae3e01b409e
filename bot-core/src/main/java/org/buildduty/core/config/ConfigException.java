package org.buildduty.core.config;

import java.util.List;

import org.buildduty.core.BuilddutyException;

/**
 * A configuration or runbook file is wrong. Each error is one line: {@code file:line: field: what is wrong}.
 */
public final class ConfigException extends BuilddutyException {
    private final List<String> errors;

    public ConfigException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public ConfigException(String error) {
        this(List.of(error));
    }

    /** The error lines. */
    public List<String> errors() {
        return errors;
    }
}
