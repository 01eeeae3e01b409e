package org.buildduty.commands.mbs;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.buildduty.core.config.Secret;
import org.buildduty.core.config.ServiceSettings;
import org.buildduty.core.time.Ticker;

/**
 * {@code services.mbs}: a Module Build Service, as {@link MbsSettingsReader} reads it.
 *
 * @param url   its base URL
 * @param token an OIDC token for write calls (cancel), if set
 * @param poll  how often {@code mbs watch} polls a build
 */
public record MbsSettings(URI url, Optional<Secret> token, Poll poll) implements ServiceSettings {
    /** A service polled at the default intervals. */
    public MbsSettings(URI url, Optional<Secret> token) {
        this(url, token, Poll.DEFAULTS);
    }

    /** The token, if any. */
    @Override
    public List<Secret> secrets() {
        return token.map(List::of).orElse(List.of());
    }

    /** The client of these settings; creating it opens nothing. */
    public MbsClient client(Ticker ticker) {
        return MbsClient.of(url, () -> token.map(Secret::reveal).orElse(null), ticker);
    }

    /**
     * {@code services.mbs.poll}: the intervals of {@code mbs watch}.
     *
     * @param building   between polls while a build is in {@code build} (default 30 s)
     * @param idle       between polls in {@code init}/{@code wait} (default 2 min)
     * @param maxBackoff the longest delay after failed polls, each doubling it (default 10 min)
     */
    public record Poll(Duration building, Duration idle, Duration maxBackoff) {
        /** 30 s, 2 min, 10 min. */
        public static final Poll DEFAULTS = new Poll(Duration.ofSeconds(30), Duration.ofMinutes(2),
                Duration.ofMinutes(10));

        /** These intervals as the watches use them. */
        public MbsWatches.Settings watches() {
            return new MbsWatches.Settings(building, idle, maxBackoff);
        }
    }
}
