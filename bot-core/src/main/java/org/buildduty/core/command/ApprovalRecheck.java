package org.buildduty.core.command;

import java.util.Optional;

import org.buildduty.core.operation.OperationPlan;

/**
 * A command's last look at an approved plan, just before it runs: the world may have moved since the plan was
 * frozen and shown for approval (a pull request got a new commit). Approval binds to what was shown, so a plan whose
 * premise changed does not run; the command may offer a fresh plan, which needs a fresh approval.
 *
 * <pre>{@code
 * CommandSpec.builder("force").recheck(plan -> refMoved(plan)
 *         ? Optional.of(new ApprovalRecheck.Replan("refs/pull/12/head moved to 9f8e7d6", freshPlan))
 *         : Optional.empty())
 * }</pre>
 *
 * <p>Called in the engine's turn (no other message is handled meanwhile); it may take a moment (a {@code git
 * ls-remote}). A {@link org.buildduty.core.UserFacingException} it throws means the plan cannot be checked, so it does
 * not run.
 */
@FunctionalInterface
public interface ApprovalRecheck {
    /** Empty to run the approved plan as it is; otherwise why it must not run, and what to ask approval for now. */
    Optional<Replan> recheck(OperationPlan approved);

    /**
     * Why an approved plan must not run, and what to ask approval for instead.
     *
     * @param reason one chat-safe line
     * @param plan   the fresh plan to ask approval for, or null when there is nothing to ask again
     */
    record Replan(String reason, OperationPlan plan) {
    }
}
