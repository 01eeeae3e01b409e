package org.buildduty.core.journal;

import org.buildduty.core.BuilddutyException;

/** The journal could not read or write; nothing may run unjournaled. */
public final class JournalException extends BuilddutyException {
    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
