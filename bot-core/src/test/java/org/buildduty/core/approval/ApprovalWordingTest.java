package org.buildduty.core.approval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;

class ApprovalWordingTest {
    private static final Instant NOW = Instant.parse("2026-11-21T14:00:00Z");
    private static final Identity ALICE = Identity.parse("irc:alice");
    private static final Identity BOB = Identity.parse("irc:bob");

    private static Operation op(ApprovalPolicy policy) {
        OperationPlan plan = new OperationPlan("reconfig", Map.of(), List.of(), policy, "hosts");
        return new Operation(new OperationId(17), plan, ALICE, ChatAddress.of("irc", "#ops"), NOW,
                OperationState.PENDING_APPROVAL);
    }

    private static PendingApproval pending(ApprovalPolicy policy, Identity... approvedBy) {
        return new PendingApproval(op(policy), NOW.plus(Duration.ofMinutes(5)), List.of(approvedBy));
    }

    @Test
    void theRequestSaysHowToApproveWhoMayAndWhenItExpires() {
        assertThat(ApprovalWording.request(pending(new ApprovalPolicy("ops", 1, false, Duration.ofMinutes(5))), "!",
                ": fleet=web", " · steps: 1) reload"))
                .isEqualTo("reconfig #17 by alice: fleet=web — approve with \"!approve 17\" (1 of role ops, not alice;"
                        + " expires 14:05Z) · steps: 1) reload");
        assertThat(ApprovalWording.request(pending(new ApprovalPolicy("ops", 2, true, Duration.ofMinutes(5))), "!", "",
                "")).isEqualTo("reconfig #17 by alice — approve with \"!approve 17\" (2 of role ops; expires 14:05Z)");
    }

    @Test
    void answersToApproveAndDenyNameThePeople() {
        ApprovalPolicy two = new ApprovalPolicy("ops", 2, false, Duration.ofMinutes(5));
        PendingApproval p = pending(two, BOB);
        assertThat(ApprovalWording.counted(p, BOB)).isEqualTo("reconfig #17: approval by bob counted (1 of 2; expires"
                + " 14:05Z)");
        String approved = ApprovalWording.approvedBy(p.operation(), List.of(BOB, Identity.parse("irc:carol")));
        assertThat(ApprovalWording.running(approved)).isEqualTo("reconfig #17 approved by bob, carol; running");
        assertThat(ApprovalWording.notRun(approved, "the fleet changed"))
                .isEqualTo("reconfig #17 approved by bob, carol, but not run: the fleet changed");
        assertThat(ApprovalWording.denied(p.operation(), BOB, " freeze ")).isEqualTo(
                "reconfig #17 denied by bob: freeze; it will not run");
        assertThat(ApprovalWording.denied(p.operation(), BOB, null)).isEqualTo(
                "reconfig #17 denied by bob; it will not run");
        assertThat(ApprovalWording.status(p)).isEqualTo("1 of 2 of role ops; expires 14:05Z");
    }

    @Test
    void expiryWithdrawalAndJournaledEventsAreOneLineEach() {
        PendingApproval p = pending(new ApprovalPolicy("ops", 1, false, Duration.ofMinutes(5)));
        assertThat(ApprovalWording.expired(p))
                .isEqualTo("reconfig #17 expired: no approval by 14:05Z; it will not run");
        assertThat(ApprovalWording.withdrawn(p.operation(), ALICE)).isEqualTo(
                "reconfig #17 cancelled by alice before it ran");
        ApprovalRecord approved = new ApprovalRecord(ApprovalRecord.Kind.APPROVED, BOB, "", NOW.plusSeconds(120));
        assertThat(ApprovalWording.event(approved, "matrix")).isEqualTo("approved by irc:bob at 14:02Z");
        assertThat(ApprovalWording.event(approved, "irc")).isEqualTo("approved by bob at 14:02Z");
        assertThat(ApprovalWording.event(new ApprovalRecord(ApprovalRecord.Kind.EXPIRED, null, "", NOW), "irc"))
                .isEqualTo("expired at 14:00Z");
    }
}
