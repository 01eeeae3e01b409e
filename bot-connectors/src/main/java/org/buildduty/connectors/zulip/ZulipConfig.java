package org.buildduty.connectors.zulip;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one Zulip connector: the server, the bot's email and API key, the streams it listens in (empty: every
 * stream it is subscribed to), and tuning. {@link #toString()} never shows the API key.
 *
 * <pre>{@code
 * ZulipConfig cfg = ZulipConfig.of("zulip", URI.create("https://zulip.example.com"), "bot@example.com", key,
 *         List.of("engineering"));
 * }</pre>
 *
 * @param id            the connector id, first half of identities ({@code zulip:alice@example.com})
 * @param site          the server's base URL; the API is under {@code <site>/api/v1/}
 * @param email         the bot's email (Basic auth user)
 * @param apiKey        the bot's API key (Basic auth password); sent only in the Authorization header
 * @param streams       streams whose messages are taken; empty takes every stream the bot gets messages from
 * @param editLimit     how long after sending a message may still be edited (the realm's
 *                      {@code message_content_edit_limit_seconds}, 600 s by default)
 * @param catchUp       the oldest a missed message may be and still be handled after a re-register or restart
 * @param defaultTopic  the topic of a stream message sent to an address without a thread
 */
public record ZulipConfig(String id, URI site, String email, String apiKey, List<String> streams, Duration editLimit,
        Duration catchUp, String defaultTopic) {
    /** Zulip's default edit limit. */
    public static final Duration DEFAULT_EDIT_LIMIT = Duration.ofSeconds(600);

    public ZulipConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(editLimit, "editLimit");
        Objects.requireNonNull(catchUp, "catchUp");
        Objects.requireNonNull(defaultTopic, "defaultTopic");
        streams = List.copyOf(streams);
        if (apiKey.isEmpty()) {
            throw new IllegalArgumentException("empty Zulip API key");
        }
        if (site.getScheme() == null || !(site.getScheme().equals("http") || site.getScheme().equals("https"))) {
            throw new IllegalArgumentException("Zulip site must be an http(s) URL: " + site);
        }
    }

    /** Settings with the defaults: 600 s edit limit, 10 min catch-up, topic {@code buildduty}. */
    public static ZulipConfig of(String id, URI site, String email, String apiKey, List<String> streams) {
        return new ZulipConfig(id, site, email, apiKey, streams, DEFAULT_EDIT_LIMIT, Duration.ofMinutes(10),
                "buildduty");
    }

    /** The settings of a {@code type: zulip} entry of the configuration file, for connector {@code id}. */
    public static ZulipConfig of(String id, ZulipSettings s) {
        return of(id, s.site(), s.email(), s.apiKey().reveal(), s.streams());
    }

    /** The same settings with another edit limit (the realm's, if an admin changed it). */
    public ZulipConfig withEditLimit(Duration limit) {
        return new ZulipConfig(id, site, email, apiKey, streams, limit, catchUp, defaultTopic);
    }

    /** The same settings with another catch-up age. */
    public ZulipConfig withCatchUp(Duration age) {
        return new ZulipConfig(id, site, email, apiKey, streams, editLimit, age, defaultTopic);
    }

    @Override
    public String toString() {
        return "ZulipConfig[id=" + id + ", site=" + site + ", email=" + email + ", apiKey=***, streams=" + streams
                + ", editLimit=" + editLimit + ", catchUp=" + catchUp + ", defaultTopic=" + defaultTopic + "]";
    }
}
