package org.buildduty.app.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.buildduty.core.journal.JournalException;

/**
 * An exclusive lock on {@code <journal>.lock}, held while a bot has the journal open, so two bots never share one
 * journal. The operating system drops it when the process dies, even by SIGKILL.
 */
final class JournalFileLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private JournalFileLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static JournalFileLock acquire(Path journal, String shown) {
        Path lockFile = journal.resolveSibling(journal.getFileName() + ".lock");
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new JournalException("journal " + shown + ": cannot create lock file " + lockFile + " ("
                    + e.getMessage() + ")", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            closeQuietly(channel, e);
            throw inUse(shown, lockFile, e);
        }
        if (lock == null) {
            closeQuietly(channel, null);
            throw inUse(shown, lockFile, null);
        }
        return new JournalFileLock(channel, lock);
    }

    private static JournalException inUse(String shown, Path lockFile, Exception cause) {
        return new JournalException("journal " + shown + " is in use by another running bot (locked: " + lockFile
                + ")", cause);
    }

    private static void closeQuietly(FileChannel channel, Exception primary) {
        try {
            channel.close();
        } catch (IOException e) {
            if (primary != null) {
                primary.addSuppressed(e);
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new JournalException("cannot release journal lock: " + e.getMessage(), e);
        }
    }
}
