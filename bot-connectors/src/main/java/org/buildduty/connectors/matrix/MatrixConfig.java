package org.buildduty.connectors.matrix;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one Matrix account: the homeserver's Client-Server API base URL, the bot's user id, its access token
 * (or a password to log in with {@code m.login.password}), the rooms to join, whose invites to accept, and the
 * long-poll and reconnect tuning. Built with {@link #builder}; {@link #toString()} never shows the token or password.
 *
 * <pre>{@code
 * MatrixConfig cfg = MatrixConfig.builder("matrix", URI.create("https://matrix.example.org"), "@buildduty:example.org")
 *         .accessToken(token).rooms(List.of("!abcdef:example.org")).allowInvitesFrom(List.of("@alice:example.org"))
 *         .build();
 * }</pre>
 */
public final class MatrixConfig {
    private final Builder b;

    private MatrixConfig(Builder b) {
        this.b = b.copy();
        if (b.accessToken == null && b.password == null) {
            throw new IllegalStateException(b.id + ": an access token or a password is needed");
        }
        if (!b.userId.matches("@[^:\\s]+:\\S+")) {
            throw new IllegalArgumentException(b.id + ": not a Matrix user id: " + b.userId);
        }
    }

    /** The settings of a {@code type: matrix} entry of the configuration file, for connector {@code id}. */
    public static MatrixConfig of(String id, MatrixSettings s) {
        Builder b = builder(id, s.homeserver(), s.user()).rooms(s.rooms()).allowInvitesFrom(s.allowInvitesFrom());
        s.accessToken().ifPresent(t -> b.accessToken(t.reveal()));
        s.password().ifPresent(p -> b.password(p.reveal()));
        return b.build();
    }

    /**
     * A builder with the defaults: 30 s long polls, a 10 min catch-up window, reconnects from 1 s up to 60 s, device
     * id {@code BUILDDUTY}.
     */
    public static Builder builder(String id, URI homeserver, String userId) {
        return new Builder(id, homeserver, userId);
    }

    public String id() {
        return b.id;
    }

    /** The Client-Server API base, e.g. {@code https://matrix.example.org} (no {@code /_matrix} suffix). */
    public URI homeserver() {
        return b.homeserver;
    }

    /** The bot's full user id, {@code @name:server}. */
    public String userId() {
        return b.userId;
    }

    /** The configured access token, if any. */
    Optional<String> accessToken() {
        return Optional.ofNullable(b.accessToken);
    }

    /** The password to log in with when there is no token (or it is rejected), if any. */
    Optional<String> password() {
        return Optional.ofNullable(b.password);
    }

    /** The device id used at every login, so the transaction id scope stays the same. */
    public String deviceId() {
        return b.deviceId;
    }

    /** Room ids ({@code !x:server}) or aliases ({@code #x:server}) joined at start, whose invites are accepted. */
    public List<String> rooms() {
        return b.rooms;
    }

    /** User ids whose invites are accepted (to any room, configured or not; nobody else's). */
    public List<String> allowInvitesFrom() {
        return b.allowInvitesFrom;
    }

    /** How long the server may hold a {@code /sync} open. */
    public Duration syncTimeout() {
        return b.syncTimeout;
    }

    /** The oldest a message may be ({@code origin_server_ts}) and still be handled, as for Zulip: 10 min. */
    public Duration catchUp() {
        return b.catchUp;
    }

    public Duration reconnectBase() {
        return b.reconnectBase;
    }

    public Duration reconnectMax() {
        return b.reconnectMax;
    }

    /** How many times one request is retried after a 429, a 5xx or a lost connection before it fails. */
    public int maxRetries() {
        return b.maxRetries;
    }

    @Override
    public String toString() {
        return "MatrixConfig[" + b.id + " " + b.userId + " on " + b.homeserver + ", rooms " + b.rooms
                + (b.accessToken != null ? ", token set" : "") + (b.password != null ? ", password set" : "") + "]";
    }

    /** Builds a {@link MatrixConfig}. */
    public static final class Builder {
        private final String id;
        private final URI homeserver;
        private final String userId;
        private String accessToken;
        private String password;
        private String deviceId = "BUILDDUTY";
        private List<String> rooms = List.of();
        private List<String> allowInvitesFrom = List.of();
        private Duration syncTimeout = Duration.ofSeconds(30);
        private Duration catchUp = Duration.ofMinutes(10);
        private Duration reconnectBase = Duration.ofSeconds(1);
        private Duration reconnectMax = Duration.ofSeconds(60);
        private int maxRetries = 5;

        private Builder(String id, URI homeserver, String userId) {
            this.id = Objects.requireNonNull(id, "id");
            this.homeserver = Objects.requireNonNull(homeserver, "homeserver");
            this.userId = Objects.requireNonNull(userId, "userId");
        }

        public Builder accessToken(String token) {
            this.accessToken = token;
            return this;
        }

        public Builder password(String pw) {
            this.password = pw;
            return this;
        }

        public Builder deviceId(String device) {
            this.deviceId = Objects.requireNonNull(device, "device");
            return this;
        }

        public Builder rooms(List<String> list) {
            this.rooms = List.copyOf(list);
            return this;
        }

        public Builder allowInvitesFrom(List<String> users) {
            this.allowInvitesFrom = List.copyOf(users);
            return this;
        }

        public Builder syncTimeout(Duration d) {
            this.syncTimeout = Objects.requireNonNull(d, "syncTimeout");
            return this;
        }

        public Builder catchUp(Duration age) {
            if (age.isNegative() || age.isZero()) {
                throw new IllegalArgumentException("catchUp must be positive");
            }
            this.catchUp = age;
            return this;
        }

        public Builder reconnect(Duration base, Duration max) {
            if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
                throw new IllegalArgumentException("0 < base <= max");
            }
            this.reconnectBase = base;
            this.reconnectMax = max;
            return this;
        }

        public Builder maxRetries(int n) {
            this.maxRetries = Math.max(0, n);
            return this;
        }

        public MatrixConfig build() {
            return new MatrixConfig(this);
        }

        private Builder copy() {
            Builder c = new Builder(id, homeserver, userId);
            c.accessToken = accessToken;
            c.password = password;
            c.deviceId = deviceId;
            c.rooms = rooms;
            c.allowInvitesFrom = allowInvitesFrom;
            c.syncTimeout = syncTimeout;
            c.catchUp = catchUp;
            c.reconnectBase = reconnectBase;
            c.reconnectMax = reconnectMax;
            c.maxRetries = maxRetries;
            return c;
        }
    }
}
