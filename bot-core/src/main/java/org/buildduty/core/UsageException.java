package org.buildduty.core;

/** The command line could not be parsed (bad quoting, unknown option, missing argument); the message has the usage. */
public final class UsageException extends UserFacingException {
    public UsageException(String message) {
        super(message);
    }
}
