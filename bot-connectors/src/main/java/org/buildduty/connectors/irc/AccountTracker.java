package org.buildduty.connectors.irc;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the bot knows of each nick's services account, learnt from {@code extended-join}, {@code account-notify}
 * and WHOX replies, and forgotten whenever it might be stale: on NICK (old and new nick), QUIT, PART, KICK and on
 * disconnect. A nick is unknown, known with no account, or known with one. Not thread-safe: the connection's input
 * thread owns it.
 */
final class AccountTracker {
    /** Marks a nick known to be logged in to no account. */
    private static final String NONE = "";
    private final Map<String, String> accounts = new HashMap<>();

    /** True if this nick's account (or the lack of one) is known. */
    boolean knows(String nick) {
        return accounts.containsKey(IrcLine.fold(nick));
    }

    /** The nick's account; empty if unknown or known to have none (see {@link #knows}). */
    Optional<String> account(String nick) {
        String a = accounts.get(IrcLine.fold(nick));
        return a == null || a.isEmpty() ? Optional.empty() : Optional.of(a);
    }

    /**
     * Records the account of a nick as the server names it: {@code *} (account-notify, extended-join) and {@code 0}
     * (WHOX) mean none.
     */
    void set(String nick, String account) {
        boolean none = account == null || account.isEmpty() || account.equals("*") || account.equals("0");
        accounts.put(IrcLine.fold(nick), none ? NONE : account);
    }

    /** Forgets a nick. */
    void forget(String nick) {
        accounts.remove(IrcLine.fold(nick));
    }

    /** Forgets both the old and the new nick: the new one may hold another person's stale entry. */
    void renamed(String oldNick, String newNick) {
        forget(oldNick);
        forget(newNick);
    }

    /** Forgets everything (disconnect). */
    void clear() {
        accounts.clear();
    }

    int size() {
        return accounts.size();
    }
}
