package org.buildduty.core.operation;

import java.time.Duration;
import java.util.Objects;

/**
 * Who must approve an operation before it runs: {@code required} distinct people holding {@code role}; the requester
 * counts only when {@code selfApprove}; the request expires after {@code timeout}.
 */
public record ApprovalPolicy(String role, int required, boolean selfApprove, Duration timeout) {
    /** The default expiry of a request. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);

    /** No approval needed. */
    public static final ApprovalPolicy NONE = new ApprovalPolicy("", 0, false, DEFAULT_TIMEOUT);

    public ApprovalPolicy {
        Objects.requireNonNull(role, "role");
        if (required < 0) {
            throw new IllegalArgumentException("required must not be negative");
        }
        if (required > 0 && role.isEmpty()) {
            throw new IllegalArgumentException("an approval needs a role");
        }
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("approval timeout must be positive");
        }
    }

    /** {@code required} approvals of {@code role}, others only, default expiry. */
    public static ApprovalPolicy of(String role, int required) {
        return new ApprovalPolicy(role, required, false, DEFAULT_TIMEOUT);
    }

    /** True when the operation must wait for approvals. */
    public boolean isRequired() {
        return required > 0;
    }
}
