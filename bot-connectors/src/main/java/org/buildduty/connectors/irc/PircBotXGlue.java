package org.buildduty.connectors.irc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import javax.net.SocketFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import org.pircbotx.Configuration;
import org.pircbotx.InputParser;
import org.pircbotx.PircBotX;
import org.pircbotx.Utils;
import org.pircbotx.cap.CapHandler;
import org.pircbotx.cap.EnableCapHandler;
import org.pircbotx.exception.IrcException;
import org.pircbotx.hooks.Event;
import org.pircbotx.hooks.Listener;
import org.pircbotx.hooks.events.ConnectAttemptFailedEvent;
import org.pircbotx.hooks.events.DisconnectEvent;
import org.pircbotx.hooks.managers.ListenerManager;

/**
 * How buildduty drives PircBotX 2.1: it builds the {@link Configuration} of one connection attempt and replaces the
 * parts of PircBotX that do not fit. Every raw input line reaches the session first, in order, on the input thread
 * (PircBotX's own events would lose the tags of private messages and JOINs, and its threaded listeners would
 * reorder NICK and PRIVMSG); no listener threads run at all. PircBotX's SASL handler waits for
 * {@code AUTHENTICATE +} while InspIRCd sends {@code AUTHENTICATE :+}, and it logs the credentials, so a handler of
 * our own does SASL PLAIN. Its message delay is 0 (pacing is {@link OutputPacer}'s), its splitting is off
 * ({@link IrcText} splits), and sockets are made here: with a connect timeout, and for TLS with SNI and host name
 * verification (PircBotX would connect to the bare address and verify nothing).
 */
final class PircBotXGlue {
    static final int SOCKET_TIMEOUT_MS = 90_000;

    private PircBotXGlue() {
    }

    /** The configuration of one connection attempt, whose lines and events go to {@code session}. */
    static Configuration configuration(IrcConfig cfg, IrcSession session) {
        Configuration.Builder b = new Configuration.Builder()
                .setName(cfg.nick())
                .setLogin(login(cfg.nick()))
                .setRealName(cfg.realname())
                .setVersion("buildduty")
                .addServer(cfg.host(), cfg.port())
                .setSocketFactory(new Sockets(cfg.tlsSocketFactory(), cfg.host(), cfg.trustedBy(),
                        cfg.connectTimeout()))
                .setEncoding(StandardCharsets.UTF_8)
                .setLocale(Locale.ROOT)
                .setMessageDelay(0)
                .setAutoReconnect(false)
                .setAutoNickChange(false)
                .setAutoSplitMessage(false)
                .setOnJoinWhoEnabled(false)
                .setSnapshotsEnabled(false)
                .setShutdownHookEnabled(false)
                .setSocketTimeout(SOCKET_TIMEOUT_MS)
                .setCapEnabled(true)
                .setListenerManager(new EventTap(session))
                .setBotFactory(new Factory(session));
        List<CapHandler> caps = b.getCapHandlers();
        caps.clear();
        if (cfg.accountTag()) {
            caps.add(new EnableCapHandler("account-tag", true));
        }
        caps.add(new EnableCapHandler("extended-join", true));
        caps.add(new EnableCapHandler("account-notify", true));
        cfg.saslAccount().ifPresent(account -> caps.add(new PlainSasl(session, account,
                cfg.saslPassword().orElseThrow())));
        return b.buildConfiguration();
    }

    /** The ident: the nick's first 10 characters that are letters or digits. */
    static String login(String nick) {
        String l = nick.replaceAll("[^A-Za-z0-9]", "");
        l = l.isEmpty() ? "buildduty" : l;
        return l.length() > 10 ? l.substring(0, 10) : l;
    }

    /** Creates the input parser that shows every raw line to the session before PircBotX sees it. */
    private static final class Factory extends Configuration.BotFactory {
        private final IrcSession session;

        Factory(IrcSession session) {
            this.session = session;
        }

        @Override
        public InputParser createInputParser(PircBotX bot) {
            return new InputParser(bot) {
                @Override
                public void handleLine(String rawLine) throws IOException, IrcException {
                    if (!session.onLine(bot, rawLine)) {
                        super.handleLine(rawLine);
                    }
                }
            };
        }
    }

    /** A listener manager with no listeners: it only tells the session why a connection failed or ended. */
    private static final class EventTap implements ListenerManager {
        private final IrcSession session;

        EventTap(IrcSession session) {
            this.session = session;
        }

        @Override
        public void onEvent(Event event) {
            if (event instanceof ConnectAttemptFailedEvent attempt) {
                Map<InetSocketAddress, Exception> ex = attempt.getConnectExceptions();
                ex.values().stream().findFirst().ifPresent(this::failed);
            } else if (event instanceof DisconnectEvent disconnect) {
                Exception e = disconnect.getDisconnectException();
                if (e != null) {
                    session.connectFailed(describe(e));
                }
            }
        }

        /** A certificate the server cannot change by itself, or a server without TLS, is not worth retrying. */
        private void failed(Exception e) {
            if (e instanceof TlsTrust.Failure f && f.permanent()) {
                session.fail(e.getMessage(), true);
            } else if (e instanceof TlsTrust.Failure) {
                session.connectFailed(e.getMessage());
            } else {
                session.connectFailed(describe(e));
            }
        }

        @Override
        public void addListener(Listener listener) {
            // PircBotX offers its CoreHooks here; the session answers PINGs itself and needs no listener
        }

        @Override
        public boolean removeListener(Listener listener) {
            return false;
        }

        @Override
        public boolean listenerExists(Listener listener) {
            return false;
        }

        @Override
        public ImmutableSet<Listener> getListeners() {
            return ImmutableSet.of();
        }

        @Override
        public void shutdown(PircBotX bot) {
            // no threads to stop
        }
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /**
     * SASL PLAIN during registration. Accepts both {@code AUTHENTICATE +} and {@code AUTHENTICATE :+}, writes the
     * credentials without logging them, finishes on 903 or 907, and reports 902/904/905/906 or a server without
     * SASL to the session (which closes the connection).
     */
    private static final class PlainSasl implements CapHandler {
        private static final Pattern GO_AHEAD = Pattern.compile("^AUTHENTICATE :?\\+$");
        private final IrcSession session;
        private final String account;
        private final String password;

        PlainSasl(IrcSession session, String account, String password) {
            this.session = session;
            this.account = account;
            this.password = password;
        }

        @Override
        public boolean handleLS(PircBotX bot, ImmutableList<String> capabilities) {
            for (String c : capabilities) {
                boolean plain = c.startsWith("sasl=") && List.of(c.substring(5).split(",")).contains("PLAIN");
                if (c.equals("sasl") || plain) {
                    bot.sendCAP().request("sasl");
                    return false;
                }
            }
            session.fail("SASL login as " + account + " impossible: the server offers no SASL PLAIN (services down?)",
                    true);
            return true;
        }

        @Override
        public boolean handleACK(PircBotX bot, ImmutableList<String> capabilities) {
            if (capabilities.contains("sasl")) {
                bot.sendRaw().rawLineNow("AUTHENTICATE PLAIN");
            }
            return false;
        }

        @Override
        public boolean handleNAK(PircBotX bot, ImmutableList<String> capabilities) {
            if (capabilities.contains("sasl")) {
                session.fail("SASL login as " + account + " impossible: the server refused the sasl capability", true);
                return true;
            }
            return false;
        }

        @Override
        public boolean handleUnknown(PircBotX bot, String rawLine) {
            if (GO_AHEAD.matcher(rawLine).matches()) {
                byte[] plain = (account + '\0' + account + '\0' + password).getBytes(StandardCharsets.UTF_8);
                try {
                    Utils.sendRawLineToServer(bot, "AUTHENTICATE " + Base64.getEncoder().encodeToString(plain));
                } catch (IOException e) {
                    session.connectFailed(describe(e));
                }
                return false;
            }
            IrcLine l = IrcLine.parse(rawLine);
            switch (l.command()) {
                case "903":
                case "907":
                    return true;
                case "902":
                case "904":
                case "905":
                case "906":
                    session.fail("SASL login as " + account + " failed: " + l.command() + " " + l.last(), true);
                    // not "finished": PircBotX would then send CAP END on the socket fail() just closed
                    return false;
                default:
                    return false;
            }
        }
    }

    /**
     * Plain or TLS sockets with a connect timeout; TLS with SNI and host name verification, and a failed handshake
     * as a {@link TlsTrust.Failure} with a one-line reason.
     */
    static final class Sockets extends SocketFactory {
        private final SSLSocketFactory tls;
        private final String host;
        private final String trustedBy;
        private final Duration timeout;

        Sockets(SSLSocketFactory tls, String host, String trustedBy, Duration timeout) {
            this.tls = tls;
            this.host = host;
            this.trustedBy = trustedBy;
            this.timeout = timeout;
        }

        @Override
        public Socket createSocket(String h, int port) throws IOException {
            return createSocket(InetAddress.getByName(h), port, null, 0);
        }

        @Override
        public Socket createSocket(String h, int port, InetAddress localHost, int localPort) throws IOException {
            return createSocket(InetAddress.getByName(h), port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress address, int port) throws IOException {
            return createSocket(address, port, null, 0);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            Socket plain = new Socket();
            try {
                if (localAddress != null) {
                    plain.bind(new InetSocketAddress(localAddress, localPort));
                }
                plain.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
                plain.setTcpNoDelay(true);
                if (tls == null) {
                    return plain;
                }
                SSLSocket s = (SSLSocket) tls.createSocket(plain, host, port, true);
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                if (!host.matches("[0-9.]+") && !host.contains(":")) {
                    p.setServerNames(List.of(new SNIHostName(host)));
                }
                s.setSSLParameters(p);
                s.setSoTimeout((int) timeout.toMillis());
                try {
                    s.startHandshake();
                } catch (IOException e) {
                    s.close();
                    throw TlsTrust.failure(e, host + ":" + port, host, trustedBy, timeout);
                }
                return s;
            } catch (IOException | RuntimeException e) {
                plain.close();
                throw e;
            }
        }
    }
}
