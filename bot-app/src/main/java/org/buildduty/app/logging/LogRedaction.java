package org.buildduty.app.logging;

import java.util.Objects;

import org.buildduty.core.progress.Redactor;

/**
 * The redactor the log layout applies to every message and stack trace, so a secret the configuration resolved never
 * reaches a log file or stderr, whoever logs it (our code, JSch, OkHttp). Installed once the configuration is loaded;
 * until then nothing is known to redact.
 */
public final class LogRedaction {
    private static volatile Redactor current = Redactor.NONE;

    private LogRedaction() {
    }

    /** From now on, log output is redacted with {@code redactor}. */
    public static void install(Redactor redactor) {
        current = Objects.requireNonNull(redactor, "redactor");
    }

    static String redact(String text) {
        return text == null || text.isEmpty() ? text : current.redact(text);
    }
}
