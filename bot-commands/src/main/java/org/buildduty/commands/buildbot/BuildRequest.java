package org.buildduty.commands.buildbot;

import java.time.Instant;

/**
 * A Buildbot build request: queued until a master claims it, complete once its build(s) ended.
 *
 * @param id the build request id
 * @param buildsetId its buildset
 * @param builderId the builder it is for
 * @param claimed true once a master took it
 * @param complete true once it ended (built, or cancelled while queued)
 * @param results the final result code while complete, else null (Buildbot sends -1)
 * @param submittedAt when it was queued
 */
public record BuildRequest(long id, long buildsetId, int builderId, boolean claimed, boolean complete,
        Integer results, Instant submittedAt) {
}
