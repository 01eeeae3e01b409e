package org.buildduty.app.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.buildduty.core.journal.JournalException;

/**
 * An exclusive lock on {@code <journal>.lock}, held while a bot has the journal open, so two bots never share one
 * journal. The operating system drops it when the process dies, even by SIGKILL.
 *
 * <p>Lock files held by this process are also remembered here: a second open in the same JVM is refused before it
 * opens the file, because closing any descriptor of a file drops the process's POSIX locks on it.
 */
final class JournalFileLock implements AutoCloseable {
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private JournalFileLock(Path lockFile, FileChannel channel, FileLock lock) {
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    static JournalFileLock acquire(Path journal, String shown) {
        Path lockFile = journal.toAbsolutePath().normalize().resolveSibling(journal.getFileName() + ".lock");
        if (!HELD.add(lockFile)) {
            throw inUse(shown, lockFile, null);
        }
        FileChannel channel;
        try {
            PrivateFiles.file(lockFile);
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            HELD.remove(lockFile);
            throw new JournalException("journal " + shown + ": cannot create lock file " + lockFile + " ("
                    + e.getMessage() + ")", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            closeQuietly(channel, e);
            HELD.remove(lockFile);
            throw inUse(shown, lockFile, e);
        }
        if (lock == null) {
            closeQuietly(channel, null);
            HELD.remove(lockFile);
            throw inUse(shown, lockFile, null);
        }
        return new JournalFileLock(lockFile, channel, lock);
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
            throw new JournalException("cannot release journal lock " + lockFile + ": " + e.getMessage(), e);
        } finally {
            HELD.remove(lockFile);
        }
    }
}
