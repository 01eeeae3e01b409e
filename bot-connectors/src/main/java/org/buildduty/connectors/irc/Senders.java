package org.buildduty.connectors.irc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.buildduty.core.chat.Identity;

/**
 * Decides who sent each PRIVMSG of one connection, fail-closed. In account mode, with {@code account-tag} the tag
 * on the message itself decides (no tag: not logged in); without it, a cached account is trusted only while
 * {@code account-notify} keeps the cache current, and otherwise the message waits for a WHOX reply. A sender logged
 * in to no account gets the principal {@code ?nick}, which no role can name (role entries are account names, which
 * cannot contain {@code ?}). In hostmask mode the identity is {@code nick!user@host}.
 *
 * <p>Not thread-safe: the session calls it under its own lock, in the order lines arrive.
 */
final class Senders {
    /** The WHOX query type, echoed in 354 replies so ours are recognised. */
    static final String WHOX_TOKEN = "471";

    /** Where decisions and queries go. */
    interface Out {
        /** The sender of {@code l} is {@code who}. */
        void message(IrcLine l, Identity who);

        /** Sends a command of the bot's own (a WHO query). */
        void command(String rawLine);
    }

    private final IrcConfig cfg;
    private final Set<String> caps;
    private final Out out;
    private final AccountTracker accounts = new AccountTracker();
    private final Map<String, List<IrcLine>> awaitingWho = new HashMap<>();
    private final Set<String> pendingChannelWho = new HashSet<>();

    /** @param caps the caps the server acknowledged, kept current by the session */
    Senders(IrcConfig cfg, Set<String> caps, Out out) {
        this.cfg = cfg;
        this.caps = caps;
        this.out = out;
    }

    /** A WHOX reply line ({@code 354}): true (and the account is noted) if it answers one of our queries. */
    boolean whoxReply(IrcLine l) {
        if (l.isNumeric("354") && l.param(1).equals(WHOX_TOKEN)) {
            accounts.set(l.param(2), l.param(3));
            return true;
        }
        return false;
    }

    /** Someone joined; for the bot itself, a channel WHOX fills the cache where no tag carries the account. */
    void joined(IrcLine l, boolean self) {
        if (caps.contains("extended-join") && l.params().size() >= 2) {
            accounts.set(l.nick(), l.param(1));
        }
        if (self && caps.contains("account-notify") && !caps.contains("account-tag")
                && cfg.identity() == IrcConfig.IdentityMode.ACCOUNT) {
            pendingChannelWho.add(IrcLine.fold(l.param(0)));
            out.command("WHO " + l.param(0) + " %tna," + WHOX_TOKEN);
        }
    }

    /** The nick left a channel or the network: what was known of it may be stale. */
    void gone(String nick) {
        accounts.forget(nick);
    }

    void renamed(String from, String to) {
        accounts.renamed(from, to);
    }

    /** An {@code ACCOUNT} line (account-notify): {@code *} means logged out. */
    void account(String nick, String account) {
        accounts.set(nick, account);
    }

    /** A PRIVMSG from someone else: decided now, or after the WHOX reply it waits for. */
    void privmsg(IrcLine l) {
        String from = l.nick();
        if (cfg.identity() == IrcConfig.IdentityMode.HOSTMASK) {
            out.message(l, new Identity(cfg.id(), l.source()));
            return;
        }
        if (caps.contains("account-tag")) {
            String account = l.tag("account");
            out.message(l, principal(from, account == null || account.isEmpty() ? null : account));
            return;
        }
        if (caps.contains("account-notify") && accounts.knows(from)) {
            out.message(l, principal(from, accounts.account(from).orElse(null)));
            return;
        }
        List<IrcLine> waiting = awaitingWho.computeIfAbsent(IrcLine.fold(from), k -> new ArrayList<>());
        waiting.add(l);
        if (waiting.size() == 1) {
            out.command("WHO " + from + " %tna," + WHOX_TOKEN);
        }
    }

    /** The end of a WHO reply ({@code 315}): releases the messages that waited for it; true if it was ours. */
    boolean whoEnded(String mask) {
        List<IrcLine> waiting = awaitingWho.remove(IrcLine.fold(mask));
        if (waiting == null) {
            return pendingChannelWho.remove(IrcLine.fold(mask));
        }
        for (IrcLine l : waiting) {
            out.message(l, principal(l.nick(), accounts.account(l.nick()).orElse(null)));
        }
        if (!caps.contains("account-notify")) {
            accounts.forget(mask);
        }
        return true;
    }

    private Identity principal(String nickName, String account) {
        return new Identity(cfg.id(), account == null ? unidentified(nickName) : account);
    }

    /** The principal of a sender logged in to no account: no role entry can name it. */
    static String unidentified(String nickName) {
        return "?" + nickName;
    }
}
