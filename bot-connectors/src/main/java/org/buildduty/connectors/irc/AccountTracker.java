package org.buildduty.connectors.irc;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the bot knows of each nick's services account, learnt from {@code extended-join}, {@code account-notify}
 * and WHOX replies, with the {@code user@host} it was learnt for, and forgotten whenever it might be stale: on NICK
 * (old and new nick), QUIT, PART, KICK and on disconnect. A nick is unknown, known with no account, or known with
 * one; an entry counts only for a message from the same {@code user@host}. Not thread-safe: the connection's input
 * thread owns it.
 */
final class AccountTracker {
    /** Marks a nick known to be logged in to no account. */
    private static final String NONE = "";

    private record Entry(String account, String userHost) {
    }

    private final Map<String, Entry> accounts = new HashMap<>();

    /** True if this nick's account (or the lack of one) is known for a sender at {@code userHost}. */
    boolean knows(String nick, String userHost) {
        Entry e = accounts.get(IrcLine.fold(nick));
        return e != null && e.userHost().equals(userHost);
    }

    /** The nick's account; empty if unknown or known to have none (see {@link #knows}). */
    Optional<String> account(String nick) {
        Entry e = accounts.get(IrcLine.fold(nick));
        return e == null || e.account().isEmpty() ? Optional.empty() : Optional.of(e.account());
    }

    /**
     * Records the account of a nick seen at {@code userHost} as the server names it: {@code *} (account-notify,
     * extended-join) and {@code 0} (WHOX) mean none.
     */
    void set(String nick, String account, String userHost) {
        accounts.put(IrcLine.fold(nick), new Entry(normalize(account), userHost));
    }

    /** The account as the server names it, with {@code *}, {@code 0} and empty meaning none. */
    static String normalize(String account) {
        boolean none = account == null || account.isEmpty() || account.equals("*") || account.equals("0");
        return none ? NONE : account;
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

    /** Keeps only the nicks {@code keep} accepts (folded). */
    void retain(Predicate<String> keep) {
        accounts.keySet().removeIf(k -> !keep.test(k));
    }

    /** Forgets everything (disconnect). */
    void clear() {
        accounts.clear();
    }

    int size() {
        return accounts.size();
    }
}
