package org.buildduty.app.logging;

import java.io.IOException;
import java.nio.file.Path;

import ch.qos.logback.core.FileAppender;

import org.buildduty.app.store.PrivateFiles;

/**
 * Logback's file appender, but the log file is {@code 0600} and the directories it creates are {@code 0700}
 * whatever the umask; an existing log file readable by others is made private when it is opened.
 *
 * @param <E> the event type
 */
public final class PrivateFileAppender<E> extends FileAppender<E> {
    @Override
    public void openFile(String fileName) throws IOException {
        PrivateFiles.file(Path.of(fileName));
        super.openFile(fileName);
    }
}
