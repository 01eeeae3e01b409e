package org.buildduty.connectors.irc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLSocketFactory;

/**
 * Settings of one IRC connection: server, TLS (trusting the system CAs or exactly the CAs of a PEM file), nick,
 * SASL PLAIN credentials, how senders are identified, the channels to join (an entry may carry a key after a
 * space: {@code "#ops key"}), and the pacing and reconnect tuning. Built with {@link #builder};
 * {@link #toString()} never shows the password.
 *
 * <pre>{@code
 * IrcConfig cfg = IrcConfig.builder("libera", "irc.libera.chat", 6697).tls(true).nick("buildduty")
 *         .sasl("buildduty", password).channels(List.of("#releng")).build();
 * IrcConfig internal = IrcConfig.builder("corp", "irc.corp.example", 6697)
 *         .tlsTrust(Path.of("/etc/buildduty/corp-ca.pem")).channels(List.of("#release")).build();
 * }</pre>
 */
public final class IrcConfig {
    /** How a sender becomes an identity. */
    public enum IdentityMode {
        /** The services account; a nick logged in to none gets a principal that can hold no role. */
        ACCOUNT,
        /** {@code nick!user@host}, for networks without services. */
        HOSTMASK
    }

    /** TLS is on unless turned off. */
    public static final boolean DEFAULT_TLS = true;
    /** Senders are identified by their services account unless told otherwise. */
    public static final IdentityMode DEFAULT_IDENTITY = IdentityMode.ACCOUNT;

    private final Builder b;
    private final SSLSocketFactory tlsFactory;

    private IrcConfig(Builder b) {
        this.b = b.copy();
        if (b.tlsTrust != null && !b.tls) {
            throw new IllegalStateException("tlsTrust " + b.tlsTrust + " needs tls(true)");
        }
        this.tlsFactory = b.tlsTrust == null ? null : TlsTrust.socketFactory(b.tlsTrust);
    }

    /**
     * The settings of a {@code type: irc} entry of the configuration file, for connector {@code id}. Reads the
     * {@code tls_ca_file}, if any: throws {@link org.buildduty.core.BuilddutyException} naming it when it is missing,
     * unreadable or holds no PEM certificate.
     */
    public static IrcConfig of(String id, IrcSettings s) {
        Builder b = builder(id, s.server(), s.port()).tls(s.tls()).nick(s.nick()).identity(s.identity())
                .channels(s.channels()).pacing(s.flood().burst(), s.flood().interval());
        s.realname().ifPresent(b::realname);
        s.tlsCaFile().ifPresent(b::tlsTrust);
        s.sasl().ifPresent(sasl -> b.sasl(sasl.account(), sasl.password().reveal()));
        return b.build();
    }

    /** The port when none is given: 6697 with TLS, 6667 without. */
    public static int defaultPort(boolean tls) {
        return tls ? 6697 : 6667;
    }

    /** A builder with the defaults: TLS on, nick {@code buildduty}, account identity, Libera-safe pacing. */
    public static Builder builder(String id, String host, int port) {
        return new Builder(id, host, port);
    }

    public String id() {
        return b.id;
    }

    public String host() {
        return b.host;
    }

    public int port() {
        return b.port;
    }

    public boolean tls() {
        return b.tls;
    }

    /** The PEM file whose CAs alone this connection trusts; empty: the JVM's default trust store. */
    public Optional<Path> tlsTrust() {
        return Optional.ofNullable(b.tlsTrust);
    }

    /** The TLS socket factory of this connection, or null without TLS. */
    SSLSocketFactory tlsSocketFactory() {
        if (!b.tls) {
            return null;
        }
        return tlsFactory != null ? tlsFactory : (SSLSocketFactory) SSLSocketFactory.getDefault();
    }

    /** Whom the TLS connection trusts, for messages. */
    String trustedBy() {
        return b.tlsTrust == null ? "the system CAs" : "the CAs in " + b.tlsTrust;
    }

    public String nick() {
        return b.nick;
    }

    public String realname() {
        return b.realname;
    }

    public Optional<String> saslAccount() {
        return Optional.ofNullable(b.saslAccount);
    }

    Optional<String> saslPassword() {
        return Optional.ofNullable(b.saslPassword);
    }

    public IdentityMode identity() {
        return b.identity;
    }

    public List<String> channels() {
        return b.channels;
    }

    /** Lines the bot may send at once after a quiet spell. */
    public int burst() {
        return b.burst;
    }

    /** The steady gap between lines after the burst. */
    public Duration interval() {
        return b.interval;
    }

    /** The most lines one message may become; longer output keeps its last lines behind a marker. */
    public int maxLinesPerMessage() {
        return b.maxLinesPerMessage;
    }

    /** The most message lines queued (while disconnected, say) before the oldest are dropped and counted. */
    public int queueLimit() {
        return b.queueLimit;
    }

    public Duration reconnectBase() {
        return b.reconnectBase;
    }

    public Duration reconnectMax() {
        return b.reconnectMax;
    }

    /** How often the bot tries to take back its nick while using an alternate one. */
    public Duration regainInterval() {
        return b.regainInterval;
    }

    /** How long after registration the bot waits for its channels before sending anyway. */
    public Duration joinTimeout() {
        return b.joinTimeout;
    }

    /** The first delay before joining a channel the bot was kicked from; it doubles on each kick in a row. */
    public Duration rejoinDelay() {
        return b.rejoinDelay;
    }

    /** How long the TCP connect, and then the TLS handshake, may each take. */
    Duration connectTimeout() {
        return b.connectTimeout;
    }

    /** Whether to ask for the {@code account-tag} cap; off only to exercise the WHOX fallback. */
    public boolean accountTag() {
        return b.accountTag;
    }

    @Override
    public String toString() {
        return "IrcConfig[" + b.id + " " + b.host + ":" + b.port + (b.tls ? " tls" : "")
                + (b.tlsTrust == null ? "" : " trusting " + b.tlsTrust) + " nick " + b.nick
                + (b.saslAccount == null ? "" : " sasl " + b.saslAccount) + " identity " + b.identity
                + " channels " + b.channels + "]";
    }

    /** Builds an {@link IrcConfig}. */
    public static final class Builder {
        private final String id;
        private final String host;
        private final int port;
        private boolean tls = DEFAULT_TLS;
        private Path tlsTrust;
        private String nick = "buildduty";
        private String realname = "buildduty release engineering bot";
        private String saslAccount;
        private String saslPassword;
        private IdentityMode identity = DEFAULT_IDENTITY;
        private List<String> channels = List.of();
        private int burst = IrcSettings.Flood.DEFAULT.burst();
        private Duration interval = IrcSettings.Flood.DEFAULT.interval();
        private int maxLinesPerMessage = 15;
        private int queueLimit = 500;
        private Duration reconnectBase = Duration.ofSeconds(1);
        private Duration reconnectMax = Duration.ofMinutes(5);
        private Duration regainInterval = Duration.ofSeconds(30);
        private Duration joinTimeout = Duration.ofSeconds(10);
        private Duration rejoinDelay = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(15);
        private boolean accountTag = true;

        private Builder(String id, String host, int port) {
            this.id = Objects.requireNonNull(id, "id");
            this.host = Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("bad port " + port);
            }
            this.port = port;
        }

        public Builder tls(boolean v) {
            tls = v;
            return this;
        }

        /**
         * Trusts exactly the CA certificates in this PEM file (one or more), not the system ones; host name
         * verification stays on. Needs {@link #tls(boolean) tls(true)}. {@link #build()} reads the file and throws
         * {@link org.buildduty.core.BuilddutyException} naming it if it is missing, unreadable or holds no PEM
         * certificate.
         */
        public Builder tlsTrust(Path caFile) {
            tlsTrust = Objects.requireNonNull(caFile, "caFile");
            return this;
        }

        public Builder nick(String v) {
            nick = Objects.requireNonNull(v, "nick");
            return this;
        }

        public Builder realname(String v) {
            realname = Objects.requireNonNull(v, "realname");
            return this;
        }

        /** SASL PLAIN login to this services account. */
        public Builder sasl(String account, String password) {
            saslAccount = Objects.requireNonNull(account, "account");
            saslPassword = Objects.requireNonNull(password, "password");
            return this;
        }

        public Builder identity(IdentityMode v) {
            identity = Objects.requireNonNull(v, "identity");
            return this;
        }

        public Builder channels(List<String> v) {
            channels = List.copyOf(v);
            return this;
        }

        public Builder pacing(int burstLines, Duration gap) {
            if (burstLines < 1 || gap.isNegative() || gap.isZero()) {
                throw new IllegalArgumentException("burst >= 1 and a positive interval");
            }
            burst = burstLines;
            interval = gap;
            return this;
        }

        public Builder maxLinesPerMessage(int v) {
            if (v < 2) {
                throw new IllegalArgumentException("maxLinesPerMessage >= 2");
            }
            maxLinesPerMessage = v;
            return this;
        }

        public Builder queueLimit(int v) {
            queueLimit = v;
            return this;
        }

        public Builder reconnect(Duration base, Duration max) {
            if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
                throw new IllegalArgumentException("0 < base <= max");
            }
            reconnectBase = base;
            reconnectMax = max;
            return this;
        }

        public Builder regainInterval(Duration v) {
            regainInterval = v;
            return this;
        }

        public Builder joinTimeout(Duration v) {
            joinTimeout = v;
            return this;
        }

        public Builder rejoinDelay(Duration v) {
            rejoinDelay = v;
            return this;
        }

        /** How long the TCP connect, and then the TLS handshake, may each take; tests shorten it. */
        Builder connectTimeout(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("a positive connect timeout");
            }
            connectTimeout = v;
            return this;
        }

        public Builder accountTag(boolean v) {
            accountTag = v;
            return this;
        }

        private Builder copy() {
            Builder c = new Builder(id, host, port);
            c.tls = tls;
            c.tlsTrust = tlsTrust;
            c.nick = nick;
            c.realname = realname;
            c.saslAccount = saslAccount;
            c.saslPassword = saslPassword;
            c.identity = identity;
            c.channels = channels;
            c.burst = burst;
            c.interval = interval;
            c.maxLinesPerMessage = maxLinesPerMessage;
            c.queueLimit = queueLimit;
            c.reconnectBase = reconnectBase;
            c.reconnectMax = reconnectMax;
            c.regainInterval = regainInterval;
            c.joinTimeout = joinTimeout;
            c.rejoinDelay = rejoinDelay;
            c.connectTimeout = connectTimeout;
            c.accountTag = accountTag;
            return c;
        }

        public IrcConfig build() {
            return new IrcConfig(this);
        }
    }
}
