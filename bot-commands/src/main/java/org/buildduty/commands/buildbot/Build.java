package org.buildduty.commands.buildbot;

import java.net.URI;
import java.time.Instant;

/**
 * A Buildbot build as the REST API shows it.
 *
 * @param id the build id (unique on the master)
 * @param number the build number within its builder
 * @param builderId its builder
 * @param requestId the build request it runs
 * @param workerId the worker it runs on
 * @param startedAt when it started
 * @param complete true once it ended
 * @param completeAt when it ended, or null
 * @param results the result code once it ended, else null ({@link Results})
 * @param stateString Buildbot's display text ({@code building}, {@code build successful}); display only
 */
public record Build(long id, int number, int builderId, long requestId, int workerId, Instant startedAt,
        boolean complete, Instant completeAt, Integer results, String stateString) {
    /** The build's page: {@code <base>#/builders/<builderid>/builds/<number>}. */
    public String url(URI baseUrl) {
        String base = baseUrl.toString();
        return (base.endsWith("/") ? base : base + "/") + "#/builders/" + builderId + "/builds/" + number;
    }
}
