package org.buildduty.commands.mbs;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.Secret;
import org.buildduty.core.config.ServiceSettings;

/**
 * Reads {@code services.mbs}: {@code url} (required), {@code token_env} or {@code token_file}, and {@code poll}
 * ({@code building}, {@code idle}, {@code max_backoff}: positive durations, the backoff at least the building
 * interval).
 */
public final class MbsSettingsReader implements ServiceSettings.Reader<MbsSettings> {
    private static final Set<String> KEYS = Set.of("url", "token_env", "token_file", "poll");
    private static final Set<String> POLL_KEYS = Set.of("building", "idle", "max_backoff");

    @Override
    public String name() {
        return "mbs";
    }

    @Override
    public Set<String> keys() {
        return KEYS;
    }

    @Override
    public Optional<MbsSettings> read(ConfigSection m) {
        Optional<URI> url = m.has("url") ? m.url("url") : missing(m, "url");
        Optional<Secret> token = m.secret("token");
        MbsSettings.Poll poll = m.section("poll", POLL_KEYS).map(MbsSettingsReader::poll)
                .orElse(MbsSettings.Poll.DEFAULTS);
        return url.map(u -> new MbsSettings(u, token, poll));
    }

    /** {@code services.mbs.poll}: positive durations, the backoff at least the building interval. */
    private static MbsSettings.Poll poll(ConfigSection p) {
        MbsSettings.Poll d = MbsSettings.Poll.DEFAULTS;
        Duration building = positive(p, "building").orElse(d.building());
        Duration idle = positive(p, "idle").orElse(d.idle());
        Duration max = positive(p, "max_backoff").orElse(d.maxBackoff());
        if (max.compareTo(building) < 0) {
            p.error("max_backoff", "must be at least poll.building (" + building.toSeconds() + "s)");
            max = building;
        }
        return new MbsSettings.Poll(building, idle, max);
    }

    private static Optional<Duration> positive(ConfigSection s, String key) {
        Optional<Duration> d = s.duration(key);
        if (d.isPresent() && (d.get().isZero() || d.get().isNegative())) {
            s.error(key, "must be more than 0");
            return Optional.empty();
        }
        return d;
    }

    private static <T> Optional<T> missing(ConfigSection s, String key) {
        s.missing(key);
        return Optional.empty();
    }
}
