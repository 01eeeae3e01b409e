package org.buildduty.app.store;

import java.sql.SQLException;

import org.buildduty.core.journal.JournalException;

/** Turns PostgreSQL failures into one-line {@link JournalException}s naming the database and what went wrong. */
final class PostgresErrors {
    private final String name;

    /** {@code name}: the database as shown to users, never with a password. */
    PostgresErrors(String name) {
        this.name = name;
    }

    /** {@code journal postgresql://db1:5432/bot: disk full while writing output (ERROR: could not extend ...)}. */
    JournalException wrap(String doing, SQLException e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
        return new JournalException("journal " + name + ": " + describe(e.getSQLState()) + " while " + doing
                + " (" + text + ")", e);
    }

    JournalException fail(String what) {
        return new JournalException("journal " + name + ": " + what, null);
    }

    private static String describe(String state) {
        if (state == null) {
            return "error";
        }
        if (state.equals("53100")) {
            return "disk full";
        }
        if (state.startsWith("08")) {
            return "connection lost";
        }
        if (state.equals("25006")) {
            return "read-only, cannot write";
        }
        if (state.startsWith("28")) {
            return "login refused";
        }
        if (state.equals("3D000")) {
            return "no such database";
        }
        if (state.startsWith("23")) {
            return "constraint violated";
        }
        if (state.startsWith("40")) {
            return "transaction conflict";
        }
        if (state.startsWith("53")) {
            return "out of server resources";
        }
        return "error";
    }
}
