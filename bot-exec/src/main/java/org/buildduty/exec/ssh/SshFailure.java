package org.buildduty.exec.ssh;

/** Why a host could not be reached, as one chat-safe line; becomes a failed {@code StepResult}, never escapes. */
final class SshFailure extends Exception {
    private final boolean retryable;

    SshFailure(String reason) {
        this(reason, false);
    }

    /** {@code retryable}: the server dropped or refused the connection early, so one more try may succeed. */
    SshFailure(String reason, boolean retryable) {
        super(reason, null, false, false);
        this.retryable = retryable;
    }

    boolean retryable() {
        return retryable;
    }
}
