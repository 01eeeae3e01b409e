package org.buildduty.core.param;

/** The types a runbook or command parameter may have (SPEC: Parameters). */
public enum ParamType {
    /** A decimal integer, optionally bounded. */
    INT,
    /** {@code [0-9a-f]{7,40}}, or a tag/branch name of {@code [A-Za-z0-9._/-]+} not starting with {@code -}. */
    REVISION,
    /** One host from the inventory. */
    HOST,
    /** A group from the inventory, or a comma-separated list of inventory hosts. */
    GROUP,
    /** An absolute path under an allowlisted root, no {@code ..}. */
    PATH,
    /** One of a fixed list of choices. */
    ENUM,
    /** {@code 30s}, {@code 10m}, {@code 2h}, {@code 7d}, {@code 1h30m}. */
    DURATION,
    /** Free text, at most 400 characters, no control characters; always quoted where substituted. */
    STRING,
    /**
     * {@code true} or {@code false} ({@code yes}/{@code no}, {@code on}/{@code off} are read as those); a runbook
     * takes it as a flag with no value ({@code --dry-run}).
     */
    BOOL
}
