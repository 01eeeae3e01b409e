package org.buildduty.connectors.matrix;

import org.buildduty.core.BuilddutyException;

/**
 * A Matrix request that failed: the homeserver's error ({@code errcode}, {@code error}) with its HTTP status, or a
 * network failure (status 0). The message is one line and never holds the access token.
 */
final class MatrixException extends BuilddutyException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String errcode;

    MatrixException(int status, String errcode, String message) {
        super(message);
        this.status = status;
        this.errcode = errcode == null ? "" : errcode;
    }

    /** The HTTP status, or 0 when no answer came (a network failure). */
    int status() {
        return status;
    }

    /** The Matrix error code, e.g. {@code M_FORBIDDEN}, or empty. */
    String errcode() {
        return errcode;
    }

    /** True when the access token is missing, unknown or expired: retrying with it cannot help. */
    boolean unauthorized() {
        return status == 401 || errcode.equals("M_UNKNOWN_TOKEN") || errcode.equals("M_MISSING_TOKEN");
    }
}
