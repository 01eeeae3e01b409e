package org.buildduty.app.store;

import java.sql.SQLException;

import org.buildduty.core.journal.JournalException;

/** Turns SQLite failures into one-line {@link JournalException}s naming the file and what went wrong. */
final class SqliteErrors {
    private static final int ERROR = 1;
    private static final int PERM = 3;
    private static final int BUSY = 5;
    private static final int LOCKED = 6;
    private static final int READONLY = 8;
    private static final int IOERR = 10;
    private static final int CORRUPT = 11;
    private static final int FULL = 13;
    private static final int CANTOPEN = 14;
    private static final int CONSTRAINT = 19;
    private static final int NOTADB = 26;

    private final String file;

    SqliteErrors(String file) {
        this.file = file;
    }

    /** {@code journal data/buildduty.db: disk full (database or disk is full)}. */
    JournalException wrap(String doing, SQLException e) {
        return new JournalException(message(doing, e), e);
    }

    JournalException fail(String what) {
        return new JournalException("journal " + file + ": " + what, null);
    }

    private String message(String doing, SQLException e) {
        String sqlite = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String what = describe(e.getErrorCode() & 0xff, sqlite);
        return "journal " + file + ": " + what + " while " + doing + " (" + sqlite + ")";
    }

    private static String describe(int code, String text) {
        switch (code) {
            case FULL:
                return "disk full";
            case READONLY:
            case PERM:
                return "read-only, cannot write";
            case NOTADB:
                return "not a SQLite database";
            case CORRUPT:
                return "the database file is corrupt";
            case BUSY:
            case LOCKED:
                return "locked by another process";
            case IOERR:
                return "I/O error";
            case CANTOPEN:
                return "cannot open the file";
            case CONSTRAINT:
                return "constraint violated";
            case ERROR:
            default:
                if (text.contains("disk is full")) {
                    return "disk full";
                }
                return "error";
        }
    }
}
