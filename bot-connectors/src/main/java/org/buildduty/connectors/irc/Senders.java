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
 * on the message itself decides (no tag: not logged in). Without it, an account is trusted only while the server
 * would tell the bot that it stopped being true: the server reports QUIT, NICK and ACCOUNT only for users sharing a
 * channel with the bot, so an account is cached (with {@code account-notify}) only for a nick in one of the bot's
 * channels, and forgotten when that nick leaves, renames or quits, or when the bot leaves the channel (PART, KICK;
 * a disconnect starts a new connection with nothing known). Any other message waits for a WHOX reply, which serves
 * the messages waiting on it and is then dropped; a reply, or a cached entry, counts only for a message from the
 * same {@code user@host}. A sender logged in to no account gets the principal {@code ?nick}, which no role can name
 * (role entries are account names, which cannot contain {@code ?}). In hostmask mode the identity is
 * {@code nick!user@host}.
 *
 * <p>Not thread-safe: the session calls it under its own lock, in the order lines arrive.
 */
final class Senders {
    /** The WHOX query type of a query for one nick, echoed in 354 replies so ours are recognised. */
    static final String WHOX_TOKEN = "471";
    /** The WHOX query type of a query for a channel's members. */
    static final String WHOX_CHANNEL_TOKEN = "472";

    /** Where decisions and queries go. */
    interface Out {
        /** The sender of {@code l} is {@code who}. */
        void message(IrcLine l, Identity who);

        /** Sends a command of the bot's own (a WHO query). */
        void command(String rawLine);
    }

    /** A WHOX reply to a query for one nick. */
    private record Answer(String account, String userHost) {
    }

    private final IrcConfig cfg;
    private final Set<String> caps;
    private final Out out;
    private final AccountTracker accounts = new AccountTracker();
    /** The members (folded nicks) of each channel the bot is in (folded name), as far as seen. */
    private final Map<String, Set<String>> members = new HashMap<>();
    private final Map<String, List<IrcLine>> awaitingWho = new HashMap<>();
    private final Map<String, Answer> answers = new HashMap<>();
    private final Set<String> pendingChannelWho = new HashSet<>();

    /** @param caps the caps the server acknowledged, kept current by the session */
    Senders(IrcConfig cfg, Set<String> caps, Out out) {
        this.cfg = cfg;
        this.caps = caps;
        this.out = out;
    }

    /**
     * A WHOX reply line ({@code 354}): true if it answers one of our queries. A reply for one nick is kept for the
     * messages waiting on it; a reply for a channel's members notes each member and its account.
     */
    boolean whoxReply(IrcLine l) {
        if (!l.isNumeric("354")) {
            return false;
        }
        if (l.param(1).equals(WHOX_TOKEN)) {
            // %tuhna: token, user, host, nick, account
            answers.put(IrcLine.fold(l.param(4)), new Answer(AccountTracker.normalize(l.param(5)),
                    l.param(2) + "@" + l.param(3)));
            return true;
        }
        if (l.param(1).equals(WHOX_CHANNEL_TOKEN)) {
            // %tcuhna: token, channel, user, host, nick, account
            Set<String> in = members.get(IrcLine.fold(l.param(2)));
            if (in != null) {
                in.add(IrcLine.fold(l.param(5)));
                learn(l.param(5), l.param(6), l.param(3) + "@" + l.param(4));
            }
            return true;
        }
        return false;
    }

    /** Someone joined; for the bot itself, a channel WHOX fills the cache where no tag carries the account. */
    void joined(IrcLine l, boolean self) {
        String channel = IrcLine.fold(l.param(0));
        if (self) {
            members.put(channel, new HashSet<>());
            if (caps.contains("account-notify") && !caps.contains("account-tag")
                    && cfg.identity() == IrcConfig.IdentityMode.ACCOUNT) {
                pendingChannelWho.add(channel);
                out.command("WHO " + l.param(0) + " %tcuhna," + WHOX_CHANNEL_TOKEN);
            }
            return;
        }
        Set<String> in = members.get(channel);
        if (in == null) {
            return;
        }
        in.add(IrcLine.fold(l.nick()));
        if (caps.contains("extended-join") && l.params().size() >= 2) {
            learn(l.nick(), l.param(1), userHost(l));
        }
    }

    /** The nick left a channel (PART, KICK): what was known of it may be stale. */
    void left(String nick, String channel) {
        Set<String> in = members.get(IrcLine.fold(channel));
        if (in != null) {
            in.remove(IrcLine.fold(nick));
        }
        accounts.forget(nick);
    }

    /**
     * The bot itself left a channel (PART, KICK): the server no longer reports its members' QUITs, NICKs and
     * ACCOUNTs, so what was learnt of those not in another of the bot's channels is forgotten.
     */
    void selfLeft(String channel) {
        members.remove(IrcLine.fold(channel));
        accounts.retain(this::sharesChannel);
    }

    /** The nick left the network. */
    void quit(String nick) {
        String n = IrcLine.fold(nick);
        members.values().forEach(in -> in.remove(n));
        accounts.forget(nick);
    }

    /** A nick change: the person stays in the same channels; both nicks' accounts are forgotten. */
    void renamed(String from, String to) {
        String f = IrcLine.fold(from);
        for (Set<String> in : members.values()) {
            if (in.remove(f)) {
                in.add(IrcLine.fold(to));
            }
        }
        accounts.renamed(from, to);
    }

    /** An {@code ACCOUNT} line (account-notify): {@code *} means logged out. */
    void account(IrcLine l) {
        learn(l.nick(), l.param(0), userHost(l));
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
        if (caps.contains("account-notify") && accounts.knows(from, userHost(l))) {
            out.message(l, principal(from, accounts.account(from).orElse(null)));
            return;
        }
        List<IrcLine> waiting = awaitingWho.computeIfAbsent(IrcLine.fold(from), k -> new ArrayList<>());
        waiting.add(l);
        if (waiting.size() == 1) {
            answers.remove(IrcLine.fold(from));
            out.command("WHO " + from + " %tuhna," + WHOX_TOKEN);
        }
    }

    /**
     * The end of a WHO reply ({@code 315}): releases the messages that waited for it, each with the account of the
     * reply only if it came from the reply's {@code user@host}; the reply is kept only for a nick in one of the
     * bot's channels. True if the reply was ours.
     */
    boolean whoEnded(String mask) {
        String nick = IrcLine.fold(mask);
        List<IrcLine> waiting = awaitingWho.remove(nick);
        Answer answer = answers.remove(nick);
        if (waiting == null) {
            return pendingChannelWho.remove(nick);
        }
        for (IrcLine l : waiting) {
            boolean same = answer != null && answer.userHost().equals(userHost(l));
            out.message(l, principal(l.nick(), same && !answer.account().isEmpty() ? answer.account() : null));
        }
        if (answer != null) {
            learn(mask, answer.account(), answer.userHost());
        }
        return true;
    }

    /** Caches an account only where the server will report its changes: account-notify, and a shared channel. */
    private void learn(String nick, String account, String userHost) {
        if (caps.contains("account-notify") && sharesChannel(IrcLine.fold(nick))) {
            accounts.set(nick, account, userHost);
        } else {
            accounts.forget(nick);
        }
    }

    private boolean sharesChannel(String foldedNick) {
        for (Set<String> in : members.values()) {
            if (in.contains(foldedNick)) {
                return true;
            }
        }
        return false;
    }

    private static String userHost(IrcLine l) {
        return l.user() + "@" + l.host();
    }

    private Identity principal(String nickName, String account) {
        return new Identity(cfg.id(), account == null || account.isEmpty() ? unidentified(nickName) : account);
    }

    /** The principal of a sender logged in to no account: no role entry can name it. */
    static String unidentified(String nickName) {
        return "?" + nickName;
    }
}
