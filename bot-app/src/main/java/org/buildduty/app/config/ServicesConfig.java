package org.buildduty.app.config;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

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
     */
    public record Mbs(URI url, Optional<Secret> token) {
    }
}
