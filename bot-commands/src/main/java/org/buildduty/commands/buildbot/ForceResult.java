package org.buildduty.commands.buildbot;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What forcing a build created: a buildset and one build request per builder.
 *
 * @param buildsetId the buildset id
 * @param requestsByBuilderId build request id by builder id
 */
public record ForceResult(long buildsetId, Map<Integer, Long> requestsByBuilderId) {
    public ForceResult {
        requestsByBuilderId = Collections.unmodifiableMap(new LinkedHashMap<>(requestsByBuilderId));
    }

    /** The request of the only builder forced; fails when there is not exactly one. */
    public long onlyRequest() {
        if (requestsByBuilderId.size() != 1) {
            throw new IllegalStateException("expected one build request, got " + requestsByBuilderId);
        }
        return requestsByBuilderId.values().iterator().next();
    }
}
