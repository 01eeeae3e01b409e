package org.buildduty.connectors.irc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.pircbotx.PircBotX;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.time.Ticker;

/**
 * One connection to the IRC server, from the TCP connect to the disconnect: registration (alternate nicks on
 * collision), SASL outcome, joining the channels, identifying senders, and turning PRIVMSGs into
 * {@link ChatMessage}s (whose sender {@link Senders} decides). Lines arrive in order on the connection's input
 * thread ({@link #onLine}); the pacer thread sends through {@link #send} and calls {@link #tick}.
 */
final class IrcSession implements OutputPacer.Sink {
    private static final Logger LOG = LoggerFactory.getLogger(IrcSession.class);
    private static final Set<String> JOIN_ERRORS = Set.of("403", "405", "471", "473", "474", "475", "476", "477",
            "489");

    /** What the session tells its connector. */
    interface Owner {
        void message(ChatMessage m);

        void ready(IrcSession session, String detail);
    }

    private final IrcConfig cfg;
    private final Ticker ticker;
    private final OutputPacer pacer;
    private final Owner owner;
    private final Set<String> caps = ConcurrentHashMap.newKeySet();
    private final Senders senders;
    private final Map<String, String> pendingJoins = new LinkedHashMap<>();
    private final List<String> joinProblems = new ArrayList<>();
    private final Rejoins rejoins;

    private volatile PircBotX bot;
    private volatile boolean registered;
    private volatile boolean ready;
    private volatile boolean closing;
    private volatile String nick;
    private volatile String selfUser = "";
    private volatile String selfHost = "";
    private volatile String failure;
    private volatile boolean permanent;
    private volatile String lastError;
    /** The account the server said the bot is logged in to (900), or null. */
    private volatile String loggedInAs;
    private volatile boolean saslDone;
    private String chanTypes = "#&";
    private boolean whox;
    private boolean motdEnded;
    /** Messages a line completed, delivered once the line was handled ({@link #deliverHeard}); guarded by this. */
    private final List<ChatMessage> heard = new ArrayList<>();
    private int nickAttempt;
    private Instant registeredAt;
    private Instant lastRegain;

    IrcSession(IrcConfig cfg, Ticker ticker, OutputPacer pacer, Owner owner) {
        this.cfg = cfg;
        this.ticker = ticker;
        this.pacer = pacer;
        this.owner = owner;
        this.nick = cfg.nick();
        this.rejoins = new Rejoins(cfg.rejoinDelay());
        this.senders = new Senders(cfg, caps, new Senders.Out() {
            @Override
            public void message(IrcLine l, Identity who) {
                emit(l, who);
            }

            @Override
            public void command(String rawLine) {
                pacer.command(rawLine);
            }
        });
    }

    /** Connects and runs the connection on the calling thread until it ends. */
    void run() {
        PircBotX b;
        try {
            b = new PircBotX(PircBotXGlue.configuration(cfg, this));
        } catch (RuntimeException e) {
            LOG.error("{}: cannot set up PircBotX", cfg.id(), e);
            connectFailed(PircBotXGlue.describe(e));
            return;
        }
        synchronized (this) {
            if (closing) {
                return;
            }
            bot = b;
        }
        try {
            b.startBot();
        } catch (Exception e) {
            connectFailed(PircBotXGlue.describe(e));
        } finally {
            registered = false;
            ready = false;
            bot = null;
        }
    }

    /** Ends the connection: QUIT with a reason, then the socket is closed. */
    void quit(String reason) {
        PircBotX b;
        synchronized (this) {
            closing = true;
            b = bot;
        }
        if (b == null || !b.isConnected()) {
            return;
        }
        try {
            if (registered) {
                b.sendRaw().rawLineNow("QUIT :" + reason);
            }
        } catch (RuntimeException e) {
            LOG.debug("QUIT not sent: {}", e.toString());
        } finally {
            b.close();
        }
    }

    @Override
    public boolean send(String rawLine) {
        PircBotX b = bot;
        if (b == null || !registered) {
            return false;
        }
        try {
            b.sendRaw().rawLineNow(rawLine);
            return true;
        } catch (RuntimeException e) {
            LOG.debug("send failed: {}", e.toString());
            return false;
        }
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public boolean registered() {
        return registered;
    }

    /** The bot's nick on this connection (an alternate one while the configured nick is taken). */
    String nick() {
        return nick;
    }

    /** The bot's user (ident) and host as the server shows them, once seen. */
    String selfUser() {
        return selfUser;
    }

    String selfHost() {
        return selfHost;
    }

    /** Why the connection could not be used, or null. */
    String failure() {
        return failure;
    }

    /**
     * True when retrying would not help at start-up: the SASL credentials were refused, or SASL is configured and the
     * server offers none or registered the bot without it.
     */
    boolean permanentFailure() {
        return permanent;
    }

    /** The last error the server or the socket reported, or null. */
    String lastError() {
        return lastError;
    }

    /** The connection cannot be used (SASL refused, no usable nick): remembers why, and closes it. */
    void fail(String reason, boolean retryWouldNotHelp) {
        failure = reason;
        permanent = retryWouldNotHelp;
        // the bot tells the operator once (start-up error or its connection report); the log file keeps each try
        LOG.info("{}: {}", cfg.id(), reason);
        PircBotX b = bot;
        if (b != null && b.isConnected()) {
            b.close();
        }
    }

    void connectFailed(String reason) {
        if (!closing) {
            lastError = reason;
        }
    }

    /** Periodic work from the pacer thread: join timeout, rejoins after a kick, taking back the configured nick. */
    synchronized void tick() {
        if (!registered) {
            return;
        }
        Instant now = ticker.now();
        rejoins.due(now).forEach(pacer::command);
        if (!ready && now.isAfter(registeredAt.plus(cfg.joinTimeout()))) {
            joinProblems.add("no answer joining " + String.join(", ", pendingJoins.values()));
            pendingJoins.clear();
            markReady();
        }
        if (!IrcLine.fold(nick).equals(IrcLine.fold(cfg.nick()))
                && !now.isBefore(lastRegain.plus(cfg.regainInterval()))) {
            regain(now);
        }
    }

    /**
     * Every raw line from the server, in order, before PircBotX handles it. Returns true for a line PircBotX must
     * not see (replies to our WHOX queries, which it cannot parse) or need not see (PRIVMSGs, which the session turns
     * into messages itself). Never throws.
     */
    boolean onLine(PircBotX b, String raw) {
        if (closing) {
            b.close();
            return true;
        }
        try {
            IrcLine l = IrcLine.parse(raw);
            synchronized (this) {
                return senders.whoxReply(l) || handle(b, l);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: could not handle line {}: {}", cfg.id(), raw, e.toString());
            return false;
        } finally {
            deliverHeard();
        }
    }

    /**
     * Hands the messages the line completed (a PRIVMSG, or the WHO reply a PRIVMSG waited for) to the connector, in
     * order, without the session's lock: the engine may answer them on this thread, and its answer goes out through
     * the pacer, whose thread takes that lock for {@link #tick}.
     */
    private void deliverHeard() {
        List<ChatMessage> ready;
        synchronized (this) {
            if (heard.isEmpty()) {
                return;
            }
            ready = List.copyOf(heard);
            heard.clear();
        }
        for (ChatMessage m : ready) {
            owner.message(m);
        }
    }

    /** Handles a line under the session's lock. */
    private boolean handle(PircBotX b, IrcLine l) {
        switch (l.command()) {
            case "PING":
                b.sendRaw().rawLineNow("PONG :" + l.last());
                break;
            case "ERROR":
                lastError = "server closed the link: " + l.last();
                break;
            case "CAP":
                if (l.param(1).equals("ACK")) {
                    for (String c : l.last().split(" ")) {
                        if (c.startsWith("-")) {
                            caps.remove(c.substring(1));
                        } else if (!c.isEmpty()) {
                            caps.add(c);
                        }
                    }
                }
                break;
            case "900":
                loggedInAs = l.param(2);
                break;
            case "901":
                loggedInAs = null;
                break;
            case "903":
            case "907":
                saslDone = true;
                break;
            case "001":
                if (cfg.saslAccount().isPresent() && !saslDone) {
                    fail("SASL login as " + cfg.saslAccount().get() + " not completed: the server registered the bot"
                            + " without it (no CAP support?)", true);
                    return true;
                }
                registered(l);
                break;
            case "005":
                for (String p : l.params()) {
                    if (p.startsWith("CHANTYPES=")) {
                        chanTypes = p.substring("CHANTYPES=".length());
                    } else if (p.equals("WHOX") || p.startsWith("WHOX=")) {
                        whox = true;
                    }
                }
                break;
            case "376":
            case "422":
                checkAccountsCanBeLearnt();
                break;
            case "432":
            case "433":
            case "436":
            case "437":
                if (!registered) {
                    nickAttempt++;
                    if (nickAttempt > 5) {
                        fail("the server refused nick " + cfg.nick() + " and its alternates: " + l.command() + " "
                                + l.last(), true);
                        break;
                    }
                    String alt = alternateNick(cfg.nick(), nickAttempt);
                    LOG.info("{}: nick {} unavailable ({}), trying {}", cfg.id(), l.param(1), l.command(), alt);
                    b.sendRaw().rawLineNow("NICK " + alt);
                }
                break;
            case "JOIN":
                onJoin(l);
                break;
            case "PART":
                onPart(l.nick(), l.param(0), "parted");
                break;
            case "KICK":
                onPart(l.param(1), l.param(0), "kicked by " + l.nick() + " (" + l.last() + ")");
                break;
            case "NICK":
                onNick(l.nick(), l.param(0));
                break;
            case "QUIT":
                senders.quit(l.nick());
                primaryFreed(l.nick());
                break;
            case "ACCOUNT":
                senders.account(l);
                break;
            case "315":
                return senders.whoEnded(l.param(1));
            case "PRIVMSG":
                onPrivmsg(l);
                return true;   // handled whole here: PircBotX would only build events (and users) nobody reads
            default:
                if (JOIN_ERRORS.contains(l.command()) && pendingJoins.remove(IrcLine.fold(l.param(1))) != null) {
                    joinProblems.add("cannot join " + l.param(1) + ": " + l.command() + " " + l.last());
                    maybeReady();
                } else if (JOIN_ERRORS.contains(l.command()) && rejoins.rejoining(l.param(1))) {
                    selfLeft(l.param(1), "could not rejoin: " + l.command() + " " + l.last());
                }
        }
        return false;
    }

    static String alternateNick(String nick, int attempt) {
        if (attempt <= 2) {
            return nick + "_".repeat(attempt);
        }
        return nick + (attempt * 7919 % 1000);
    }

    private void registered(IrcLine l) {
        nick = l.param(0);
        registered = true;
        registeredAt = ticker.now();
        lastRegain = registeredAt;
        pacer.newConnection();
        List<String> withKey = new ArrayList<>();
        for (String entry : cfg.channels()) {
            String[] parts = entry.trim().split("\\s+", 2);
            pendingJoins.put(IrcLine.fold(parts[0]), parts[0]);
            if (parts.length == 2) {
                withKey.add(parts[0]);
                pacer.command("JOIN " + parts[0] + " " + parts[1]);
            }
        }
        for (String ch : pendingJoins.values()) {
            if (!withKey.contains(ch)) {
                pacer.command("JOIN " + ch);
            }
        }
        maybeReady();
        pacer.wake();
    }

    /** At the end of the MOTD (the ISUPPORT lines are in): one warning if account identity cannot work here. */
    private void checkAccountsCanBeLearnt() {
        if (motdEnded) {
            return;
        }
        motdEnded = true;
        if (cfg.identity() == IrcConfig.IdentityMode.ACCOUNT && !caps.contains("account-tag")
                && !caps.contains("extended-join") && !whox) {
            LOG.warn("{}: this network offers none of account-tag, extended-join or WHOX, so the bot cannot learn "
                    + "anyone's services account: every sender is ?nick and holds no role; configure identity: "
                    + "hostmask with nick!user@host role entries, or use a network with services", cfg.id());
        }
    }

    private void maybeReady() {
        if (registered && !ready && pendingJoins.isEmpty()) {
            markReady();
        }
    }

    private void markReady() {
        ready = true;
        StringBuilder d = new StringBuilder(cfg.host() + ":" + cfg.port() + " as " + nick);
        String account = loggedInAs;
        if (account != null) {
            d.append(" (account ").append(account).append(')');
        }
        if (!joinProblems.isEmpty()) {
            d.append("; ").append(String.join("; ", joinProblems));
        }
        owner.ready(this, d.toString());
        pacer.wake();
    }

    private void onJoin(IrcLine l) {
        String channel = l.param(0);
        boolean self = IrcLine.fold(l.nick()).equals(IrcLine.fold(nick));
        senders.joined(l, self);
        if (self) {
            selfUser = l.user();
            selfHost = l.host();
            rejoins.joined(channel, ticker.now());
            if (pendingJoins.remove(IrcLine.fold(channel)) != null) {
                maybeReady();
            }
        }
    }

    private void onPart(String who, String channel, String how) {
        if (IrcLine.fold(who).equals(IrcLine.fold(nick))) {
            senders.selfLeft(channel);
            selfLeft(channel, how);
        } else {
            senders.left(who, channel);
        }
    }

    /** The bot is out of a channel it did not leave on its own: a configured channel is joined again later. */
    private void selfLeft(String channel, String why) {
        for (String entry : cfg.channels()) {
            String[] parts = entry.trim().split("\\s+", 2);
            if (IrcLine.fold(parts[0]).equals(IrcLine.fold(channel))) {
                Duration delay = rejoins.left(channel, "JOIN " + entry.trim(), ticker.now());
                LOG.warn("{}: out of {}: {}; joining again in {} s", cfg.id(), channel, why, delay.toSeconds());
                return;
            }
        }
        LOG.warn("{}: out of {}: {}", cfg.id(), channel, why);
    }

    private void onNick(String from, String to) {
        senders.renamed(from, to);
        if (IrcLine.fold(from).equals(IrcLine.fold(nick))) {
            nick = to;
            return;
        }
        primaryFreed(from);
    }

    /** The configured nick was just given up by someone else: take it if we use an alternate. */
    private void primaryFreed(String who) {
        if (registered && IrcLine.fold(who).equals(IrcLine.fold(cfg.nick()))
                && !IrcLine.fold(nick).equals(IrcLine.fold(cfg.nick()))) {
            regain(ticker.now());
        }
    }

    private void regain(Instant now) {
        lastRegain = now;
        pacer.command("NICK " + cfg.nick());
    }

    private void onPrivmsg(IrcLine l) {
        String text = l.param(1);
        String from = l.nick();
        if (text.startsWith("\u0001") || from.isEmpty() || IrcLine.fold(from).equals(IrcLine.fold(nick))) {
            return;
        }
        senders.privmsg(l);
    }

    private void emit(IrcLine l, Identity who) {
        String target = l.param(0);
        boolean channel = !target.isEmpty() && chanTypes.indexOf(target.charAt(0)) >= 0;
        ChatAddress room = ChatAddress.of(cfg.id(), channel ? target : l.nick());
        heard.add(new ChatMessage(room, who, l.nick(), l.param(1), !channel, ticker.now()));
    }

    /** How long the pacer thread may sleep before {@link #tick} is due again. */
    Duration tickPeriod() {
        return Duration.ofMillis(250);
    }
}
