package org.buildduty.app.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The bot's own files, private to the user it runs as whatever the umask: directories it creates (the data folder)
 * are {@code 0700}; the journal, its {@code -wal}, {@code -shm} and lock files and the log file are {@code 0600},
 * and an existing one readable by others (left by an older bot) is made private when it is opened. Directories that
 * already exist are left as they are: they may be shared. On a file system without POSIX permissions nothing changes.
 */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private PrivateFiles() {
    }

    /** Creates the missing directories of {@code dir}, each {@code 0700}. */
    public static void directories(Path dir) throws IOException {
        if (!POSIX) {
            Files.createDirectories(dir);
            return;
        }
        Path absolute = dir.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            directories(parent);
        }
        try {
            Files.createDirectory(absolute, attribute(DIRECTORY));
            // the umask may have taken bits away, never added any: set exactly 0700
            Files.setPosixFilePermissions(absolute, DIRECTORY);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
        }
    }

    /** Creates {@code file} ({@code 0600}, and its missing directories {@code 0700}) or makes an existing one 0600. */
    public static void file(Path file) throws IOException {
        Path parent = file.toAbsolutePath().normalize().getParent();
        if (parent != null) {
            directories(parent);
        }
        if (!POSIX) {
            return;
        }
        try {
            Files.createFile(file, attribute(FILE));
        } catch (FileAlreadyExistsException e) {
            restrict(file);
        }
    }

    /** Makes {@code file} {@code 0600} if it exists (a symbolic link is left alone). */
    public static void restrict(Path file) throws IOException {
        if (POSIX && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                && !Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(FILE)) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> permissions) {
        return PosixFilePermissions.asFileAttribute(permissions);
    }
}
