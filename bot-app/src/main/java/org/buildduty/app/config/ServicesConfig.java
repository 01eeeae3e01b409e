package org.buildduty.app.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.buildduty.core.config.Secret;

/**
 * {@code services:}: the external services the commands talk to, each optional.
 *
 * @param buildbot the Buildbot master's REST API
 * @param mbs      the Module Build Service
 */
public record ServicesConfig(Optional<Buildbot> buildbot, Optional<Mbs> mbs) {

    /** No services. */
    public static final ServicesConfig NONE = new ServicesConfig(Optional.empty(), Optional.empty());

    /**
     * A Buildbot master.
     *
     * @param url      its base URL
     * @param user     login user, if any
     * @param password     present exactly when {@code user} is
     * @param scheduler    the force scheduler {@code force} uses (default {@code force})
     * @param repositories builder name → the git repository its branches and pull requests are resolved in
     */
    public record Buildbot(URI url, Optional<String> user, Optional<Secret> password, String scheduler,
            Map<String, String> repositories) {
        public Buildbot {
            repositories = Map.copyOf(repositories);
        }
    }

    /**
     * A Module Build Service.
     *
     * @param url   its base URL
     * @param token an OIDC token for write calls (cancel), if set
     * @param poll  how often {@code mbs watch} polls a build
     */
    public record Mbs(URI url, Optional<Secret> token, Poll poll) {
        /** A service polled at the default intervals. */
        public Mbs(URI url, Optional<Secret> token) {
            this(url, token, Poll.DEFAULTS);
        }
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
    }
}
