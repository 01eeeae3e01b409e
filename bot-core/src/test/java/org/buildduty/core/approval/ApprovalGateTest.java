package org.buildduty.core.approval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.buildduty.core.NotAllowedException;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.auth.RoleResolver;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.InMemoryJournal;

class ApprovalGateTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Identity ALICE = id("alice");
    private static final Identity BOB = id("bob");
    private static final Identity CAROL = id("carol");
    private static final Identity DAVE = id("dave");
    private static final Identity ERIN = id("erin");
    private static final Identity MALLORY = id("mallory");

    private final FakeTicker ticker = new FakeTicker(T0);
    private final InMemoryJournal journal = new InMemoryJournal();
    private final RoleResolver roles = new RoleResolver(Map.of(
            "releng", List.of("chat:alice", "chat:bob", "chat:carol", "chat:dave"),
            "sheriff", List.of("chat:mallory")), Set.of(), Set.of());
    private final ApprovalGate gate = new ApprovalGate(journal, ticker, roles);

    private static Identity id(String principal) {
        return new Identity("chat", principal);
    }

    private Operation operation(ApprovalPolicy policy, Identity requester) {
        OperationPlan plan = new OperationPlan("deploy", Map.of("revision", "4f2a9c1"),
                List.of(StepSpec.of("apply", "fake", Map.of())), policy, "hosts");
        Operation op = new Operation(journal.nextOperationId(), plan, requester, ChatAddress.of("chat", "#releng"),
                ticker.now(), OperationState.PENDING_APPROVAL);
        journal.operationCreated(op);
        return op;
    }

    private Operation requested(ApprovalPolicy policy, Identity requester) {
        Operation op = operation(policy, requester);
        gate.request(op);
        return op;
    }

    private List<ApprovalRecord> events(Operation op) {
        return journal.approvals(op.id());
    }

    private OperationRecord record(Operation op) {
        return journal.operation(op.id()).orElseThrow();
    }

    /** An operation paused at its confirm step 2 (the plan itself needs no approval). */
    private Operation waitingAtStepTwo(Identity requester) {
        OperationPlan plan = new OperationPlan("deploy", Map.of(), List.of(StepSpec.of("stage", "fake", Map.of()),
                StepSpec.confirm("canary ok?", "look", new ApprovalPolicy("releng", 2, false, Duration.ofMinutes(30))),
                StepSpec.of("finish", "fake", Map.of())), ApprovalPolicy.NONE, "steps");
        Operation op = new Operation(journal.nextOperationId(), plan, requester, ChatAddress.of("chat", "#releng"),
                ticker.now(), OperationState.WAITING);
        journal.operationCreated(op);
        return op;
    }

    @Test
    void aConfirmationFollowsItsStepsPolicyAndLeavesTheOperationsStateToItsCaller() {
        Operation op = waitingAtStepTwo(ALICE);
        PendingApproval p = gate.confirm(op, 1);
        assertThat(p.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(p.missing()).isEqualTo(2);
        assertThat(ApprovalWording.confirm(p, "!", "look")).isEqualTo("deploy #1 waits at step 2 \"canary ok?\": look"
                + " — continue with !approve 1 (2 of role releng, not alice; expires 10:30Z), stop with !deny 1");
        assertThatThrownBy(() -> gate.approve(op.id(), ALICE)).isInstanceOf(NotAllowedException.class);
        assertThat(gate.approve(op.id(), BOB)).isInstanceOf(ApprovalGate.Counted.class);
        ApprovalGate.Result r = gate.approve(op.id(), CAROL);
        assertThat(r).isInstanceOf(ApprovalGate.Approved.class);
        assertThat(op.state()).isEqualTo(OperationState.WAITING);
        assertThat(record(op).state()).isEqualTo(OperationState.WAITING);
        assertThat(events(op)).extracting(ApprovalRecord::kind, ApprovalRecord::who, ApprovalRecord::step)
                .containsExactly(tuple(ApprovalRecord.Kind.REQUESTED, ALICE, 1), tuple(ApprovalRecord.Kind.APPROVED,
                        BOB, 1), tuple(ApprovalRecord.Kind.APPROVED, CAROL, 1));

        Operation denied = waitingAtStepTwo(ALICE);
        gate.confirm(denied, 1);
        gate.deny(denied.id(), BOB, "not now");
        assertThat(denied.state()).isEqualTo(OperationState.WAITING);
        assertThat(gate.pending(denied.id())).isEmpty();
        assertThat(events(denied)).last().satisfies(e -> assertThat(e.kind()).isEqualTo(ApprovalRecord.Kind.DENIED))
                .satisfies(e -> assertThat(e.step()).isEqualTo(1));

        Operation expired = waitingAtStepTwo(ALICE);
        gate.confirm(expired, 1);
        ticker.advance(Duration.ofMinutes(30));
        assertThat(gate.expireDue()).extracting(PendingApproval::operation).containsExactly(expired);
        assertThat(expired.state()).isEqualTo(OperationState.WAITING);
        assertThat(events(expired)).last().satisfies(e -> assertThat(e.kind()).isEqualTo(ApprovalRecord.Kind.EXPIRED));
    }

    @Test
    void requestIsJournaledWithItsExpiry() {
        Operation op = operation(new ApprovalPolicy("releng", 2, false, Duration.ofMinutes(30)), ALICE);
        PendingApproval p = gate.request(op);
        assertThat(p.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(p.approvedBy()).isEmpty();
        assertThat(p.missing()).isEqualTo(2);
        assertThat(record(op).expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(events(op)).containsExactly(new ApprovalRecord(ApprovalRecord.Kind.REQUESTED, ALICE, null, T0));
        assertThat(gate.pending(op.id())).contains(p);
        assertThat(op.state()).isEqualTo(OperationState.PENDING_APPROVAL);
    }

    @Test
    void requestUsesTheDefaultTimeout() {
        PendingApproval p = gate.request(operation(ApprovalPolicy.of("releng", 1), ALICE));
        assertThat(p.expiresAt()).isEqualTo(T0.plus(ApprovalPolicy.DEFAULT_TIMEOUT));
    }

    @Test
    void requestOfAPlanNeedingNoApprovalIsRefused() {
        Operation op = operation(ApprovalPolicy.NONE, ALICE);
        assertThatThrownBy(() -> gate.request(op)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs no approval");
        assertThat(gate.pending()).isEmpty();
        assertThat(events(op)).isEmpty();
    }

    @Test
    void approvalWithoutTheRoleIsRefused() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        assertThatThrownBy(() -> gate.approve(op.id(), MALLORY)).isInstanceOf(NotAllowedException.class)
                .hasMessage("approving deploy #1 needs role releng (you are chat:mallory)");
        assertThatThrownBy(() -> gate.approve(op.id(), new Identity("other", "bob")))
                .isInstanceOf(NotAllowedException.class);
        assertThat(events(op)).extracting(ApprovalRecord::kind).containsExactly(ApprovalRecord.Kind.REQUESTED);
        assertThat(gate.pending(op.id()).orElseThrow().approvedBy()).isEmpty();
        assertThat(op.state()).isEqualTo(OperationState.PENDING_APPROVAL);
    }

    @Test
    void selfApprovalIsRefusedByDefault() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        assertThatThrownBy(() -> gate.approve(op.id(), ALICE)).isInstanceOf(NotAllowedException.class)
                .hasMessage("you requested deploy #1; someone else with role releng must approve it");
        assertThat(events(op)).hasSize(1);
        assertThat(op.state()).isEqualTo(OperationState.PENDING_APPROVAL);
    }

    @Test
    void selfApprovalCountsWhenThePolicyAllowsIt() {
        Operation op = requested(new ApprovalPolicy("releng", 1, true, null), ALICE);
        ApprovalGate.Result r = gate.approve(op.id(), ALICE);
        assertThat(r).isInstanceOf(ApprovalGate.Approved.class);
        assertThat(((ApprovalGate.Approved) r).approvedBy()).containsExactly(ALICE);
        assertThat(op.state()).isEqualTo(OperationState.QUEUED);
    }

    @Test
    void selfApprovalStillNeedsTheRole() {
        Operation op = requested(new ApprovalPolicy("releng", 1, true, null), ERIN);
        assertThatThrownBy(() -> gate.approve(op.id(), ERIN)).isInstanceOf(NotAllowedException.class)
                .hasMessageContaining("needs role releng");
    }

    @Test
    void duplicateApprovalIsRefused() {
        Operation op = requested(ApprovalPolicy.of("releng", 2), ALICE);
        assertThat(gate.approve(op.id(), BOB)).isInstanceOf(ApprovalGate.Counted.class);
        assertThatThrownBy(() -> gate.approve(op.id(), BOB)).isInstanceOf(UserFacingException.class)
                .hasMessage("you already approved deploy #1 (1 of 2)");
        assertThat(events(op)).extracting(ApprovalRecord::kind)
                .containsExactly(ApprovalRecord.Kind.REQUESTED, ApprovalRecord.Kind.APPROVED);
        assertThat(gate.pending(op.id()).orElseThrow().approvedBy()).containsExactly(BOB);
        assertThat(op.state()).isEqualTo(OperationState.PENDING_APPROVAL);
    }

    /** Alice and bob each have an account on two networks, both holding releng; people: says whose they are. */
    private ApprovalGate twoNetworkGate() {
        RoleResolver twoNetworks = new RoleResolver(Map.of("releng", List.of("libera:alice", "matrix:@alice:x.org",
                "libera:bob", "matrix:@bob:x.org", "libera:carol")),
                Map.of("alice", List.of("libera:alice", "matrix:@alice:x.org"),
                        "bob", List.of("libera:bob", "matrix:@bob:x.org")), Set.of(), Set.of());
        return new ApprovalGate(journal, ticker, twoNetworks);
    }

    @Test
    void selfApprovalThroughAnotherIdentityOfTheSamePersonIsRefused() {
        ApprovalGate g = twoNetworkGate();
        Operation op = operation(ApprovalPolicy.of("releng", 1), Identity.parse("libera:alice"));
        g.request(op);
        assertThatThrownBy(() -> g.approve(op.id(), Identity.parse("matrix:@alice:x.org")))
                .isInstanceOf(NotAllowedException.class)
                .hasMessage("deploy #1 was requested by libera:alice, the same person as you (matrix:@alice:x.org); "
                        + "someone else with role releng must approve it");
        assertThat(events(op)).extracting(ApprovalRecord::kind).containsExactly(ApprovalRecord.Kind.REQUESTED);
        assertThat(op.state()).isEqualTo(OperationState.PENDING_APPROVAL);
    }

    @Test
    void samePersonOnTwoNetworksCountsOnce() {
        ApprovalGate g = twoNetworkGate();
        Operation op = operation(ApprovalPolicy.of("releng", 2), Identity.parse("libera:carol"));
        g.request(op);
        assertThat(g.approve(op.id(), Identity.parse("libera:bob"))).isInstanceOf(ApprovalGate.Counted.class);
        assertThatThrownBy(() -> g.approve(op.id(), Identity.parse("matrix:@bob:x.org")))
                .isInstanceOf(UserFacingException.class)
                .hasMessage("you already approved deploy #1 as libera:bob (1 of 2)");
        assertThat(events(op)).hasSize(2);
        assertThat(g.approve(op.id(), Identity.parse("matrix:@alice:x.org"))).isInstanceOf(ApprovalGate.Approved.class);
    }

    @Test
    void aRestartCountsTheSamePersonOnceAndNeverTheRequester() {
        ApprovalGate g = twoNetworkGate();
        Operation op = operation(ApprovalPolicy.of("releng", 3), Identity.parse("libera:carol"));
        g.request(op);
        Instant expiry = g.pending(op.id()).orElseThrow().expiresAt();
        // a journal written before people: named them (or by an older version) holds bob twice and carol herself
        ApprovalGate restarted = twoNetworkGate();
        restarted.restore(op, expiry, List.of(Identity.parse("libera:bob"), Identity.parse("matrix:@bob:x.org"),
                Identity.parse("libera:carol")));
        assertThat(restarted.pending(op.id()).orElseThrow().approvedBy()).containsExactly(Identity.parse("libera:bob"));
        assertThatThrownBy(() -> restarted.approve(op.id(), Identity.parse("matrix:@bob:x.org")))
                .hasMessage("you already approved deploy #1 as libera:bob (1 of 3)");
    }

    @Test
    void aRestartKeepsAHostmaskApproverCountedThroughTheirEntry() {
        ApprovalGate g = hostmaskGate();
        Operation op = operation(ApprovalPolicy.of("releng", 2), Identity.parse("oftc:alice!al@alice.example.org"));
        g.request(op);
        g.approve(op.id(), Identity.parse("oftc:bob!b@bob.example.org"));
        ApprovalGate restarted = hostmaskGate();
        restarted.restore(op, g.pending(op.id()).orElseThrow().expiresAt(), List.of(
                Identity.parse("oftc:bob!b@bob.example.org")));
        assertThatThrownBy(() -> restarted.approve(op.id(), Identity.parse("oftc:Bob!x@bob.example.org")))
                .hasMessageStartingWith("you already approved deploy #1");
        assertThatThrownBy(() -> restarted.approve(op.id(), Identity.parse("oftc:al!al@alice.example.org")))
                .hasMessageContaining("must approve it");
    }

    /** Hostmask mode: releng is whoever connects from alice's or bob's host, whatever nick or ident they use. */
    private ApprovalGate hostmaskGate() {
        RoleResolver hostmasks = new RoleResolver(Map.of("releng", List.of("oftc:*!*@alice.example.org",
                "oftc:*!*@bob.example.org", "oftc:*!*@carol.example.org")), Set.of("oftc"), Set.of());
        return new ApprovalGate(journal, ticker, hostmasks);
    }

    @Test
    void hostmaskRequesterCannotApproveUnderAnotherNickOrIdent() {
        ApprovalGate g = hostmaskGate();
        Operation op = operation(ApprovalPolicy.of("releng", 1), Identity.parse("oftc:alice!al@alice.example.org"));
        g.request(op);
        for (String self : List.of("oftc:Alice!al@alice.example.org", "oftc:alice!other@alice.example.org",
                "oftc:sock!x@alice.example.org")) {
            assertThatThrownBy(() -> g.approve(op.id(), Identity.parse(self))).as(self)
                    .isInstanceOf(NotAllowedException.class)
                    .hasMessageContaining("someone else with role releng must approve it");
        }
        assertThat(events(op)).extracting(ApprovalRecord::kind).containsExactly(ApprovalRecord.Kind.REQUESTED);
        assertThat(g.approve(op.id(), Identity.parse("oftc:bob!b@bob.example.org")))
                .isInstanceOf(ApprovalGate.Approved.class);
    }

    @Test
    void hostmaskApproverCountsOnceThroughTheEntryTheyMatch() {
        ApprovalGate g = hostmaskGate();
        Operation op = operation(ApprovalPolicy.of("releng", 2), Identity.parse("oftc:alice!al@alice.example.org"));
        g.request(op);
        assertThat(g.approve(op.id(), Identity.parse("oftc:bob!b@bob.example.org")))
                .isInstanceOf(ApprovalGate.Counted.class);
        for (String again : List.of("oftc:BOB!b@bob.example.org", "oftc:bob!b2@bob.example.org",
                "oftc:bob_!b@bob.example.org")) {
            assertThatThrownBy(() -> g.approve(op.id(), Identity.parse(again))).as(again)
                    .isInstanceOf(UserFacingException.class).hasMessageStartingWith("you already approved deploy #1");
        }
        assertThat(g.pending(op.id()).orElseThrow().missing()).isEqualTo(1);
        assertThat(op.state()).isEqualTo(OperationState.PENDING_APPROVAL);
        ApprovalGate.Result r = g.approve(op.id(), Identity.parse("oftc:carol!c@carol.example.org"));
        assertThat(((ApprovalGate.Approved) r).approvedBy()).extracting(Identity::principal)
                .containsExactly("bob!b@bob.example.org", "carol!c@carol.example.org");
    }

    @Test
    void hostmaskRequesterCannotApproveThroughAnEntryThatAlsoMatchesThem() {
        RoleResolver shared = new RoleResolver(Map.of("releng", List.of("oftc:*!*@bastion.example.org",
                "oftc:bob!*@bob.example.org")), Set.of("oftc"), Set.of());
        ApprovalGate g = new ApprovalGate(journal, ticker, shared);
        Operation op = operation(ApprovalPolicy.of("releng", 1), Identity.parse("oftc:alice!al@bastion.example.org"));
        g.request(op);
        assertThatThrownBy(() -> g.approve(op.id(), Identity.parse("oftc:bob!b@bastion.example.org")))
                .isInstanceOf(NotAllowedException.class).hasMessageContaining("must approve it");
        assertThat(g.approve(op.id(), Identity.parse("oftc:bob!b@bob.example.org")))
                .isInstanceOf(ApprovalGate.Approved.class);
    }

    @Test
    void needsNDistinctApprovals() {
        Operation op = requested(ApprovalPolicy.of("releng", 3), ALICE);

        ApprovalGate.Result first = gate.approve(op.id(), BOB);
        assertThat(first).isInstanceOf(ApprovalGate.Counted.class);
        assertThat(((ApprovalGate.Counted) first).pending().missing()).isEqualTo(2);
        assertThat(((ApprovalGate.Counted) first).pending().approvedBy()).containsExactly(BOB);

        ApprovalGate.Result second = gate.approve(op.id(), CAROL);
        assertThat(((ApprovalGate.Counted) second).pending().missing()).isEqualTo(1);
        assertThat(op.state()).isEqualTo(OperationState.PENDING_APPROVAL);
        assertThat(record(op).state()).isEqualTo(OperationState.PENDING_APPROVAL);

        ticker.advance(Duration.ofMinutes(1));
        ApprovalGate.Result last = gate.approve(op.id(), DAVE);
        assertThat(last).isInstanceOf(ApprovalGate.Approved.class);
        ApprovalGate.Approved approved = (ApprovalGate.Approved) last;
        assertThat(approved.operation()).isSameAs(op);
        assertThat(approved.approvedBy()).containsExactly(BOB, CAROL, DAVE);
        assertThat(op.state()).isEqualTo(OperationState.QUEUED);
        assertThat(record(op).state()).isEqualTo(OperationState.QUEUED);
        assertThat(record(op).detail()).isEqualTo("approved by bob, carol, dave");
        assertThat(gate.pending(op.id())).isEmpty();
        assertThat(gate.pending()).isEmpty();
        assertThatThrownBy(() -> gate.approve(op.id(), ALICE)).isInstanceOf(UserFacingException.class)
                .hasMessage("#1 is not waiting for approval");
    }

    @Test
    void everyEventIsJournaledWithWhoAndWhen() {
        Operation op = requested(ApprovalPolicy.of("releng", 2), ERIN);
        ticker.advance(Duration.ofMinutes(2));
        gate.approve(op.id(), BOB);
        ticker.advance(Duration.ofMinutes(3));
        gate.approve(op.id(), CAROL);
        assertThat(events(op)).containsExactly(
                new ApprovalRecord(ApprovalRecord.Kind.REQUESTED, ERIN, null, T0),
                new ApprovalRecord(ApprovalRecord.Kind.APPROVED, BOB, "", T0.plus(Duration.ofMinutes(2))),
                new ApprovalRecord(ApprovalRecord.Kind.APPROVED, CAROL, "", T0.plus(Duration.ofMinutes(5))));

        Operation denied = requested(ApprovalPolicy.of("releng", 2), ERIN);
        gate.approve(denied.id(), BOB);
        ticker.advance(Duration.ofSeconds(30));
        gate.deny(denied.id(), CAROL, "freeze");
        assertThat(events(denied)).extracting(ApprovalRecord::kind, ApprovalRecord::who, ApprovalRecord::at)
                .containsExactly(
                        tuple(ApprovalRecord.Kind.REQUESTED, ERIN,
                                T0.plus(Duration.ofMinutes(5))),
                        tuple(ApprovalRecord.Kind.APPROVED, BOB,
                                T0.plus(Duration.ofMinutes(5))),
                        tuple(ApprovalRecord.Kind.DENIED, CAROL,
                                T0.plus(Duration.ofMinutes(5)).plusSeconds(30)));
    }

    @Test
    void denyByRoleHolderEndsTheRequest() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        ticker.advance(Duration.ofMinutes(1));
        Operation out = gate.deny(op.id(), CAROL, "  not during the freeze  ");
        assertThat(out).isSameAs(op);
        assertThat(op.state()).isEqualTo(OperationState.DENIED);
        assertThat(op.endedAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(record(op).state()).isEqualTo(OperationState.DENIED);
        assertThat(record(op).detail()).isEqualTo("denied by carol: not during the freeze");
        assertThat(events(op).get(1)).isEqualTo(new ApprovalRecord(ApprovalRecord.Kind.DENIED, CAROL,
                "not during the freeze", T0.plus(Duration.ofMinutes(1))));
        assertThat(gate.pending()).isEmpty();
        assertThatThrownBy(() -> gate.approve(op.id(), BOB)).hasMessage("#1 is not waiting for approval");
        assertThatThrownBy(() -> gate.deny(op.id(), BOB, "")).hasMessage("#1 is not waiting for approval");
    }

    @Test
    void denyWithoutReason() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        gate.deny(op.id(), BOB, "   ");
        assertThat(record(op).detail()).isEqualTo("denied by bob");
        assertThat(events(op).get(1).reason()).isEmpty();
        Operation other = requested(ApprovalPolicy.of("releng", 1), ALICE);
        gate.deny(other.id(), BOB, null);
        assertThat(record(other).detail()).isEqualTo("denied by bob");
    }

    @Test
    void requesterMayDenyTheirOwnRequestWithoutTheRole() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ERIN);
        gate.deny(op.id(), ERIN, "wrong revision");
        assertThat(op.state()).isEqualTo(OperationState.DENIED);
        assertThat(events(op).get(1).who()).isEqualTo(ERIN);
    }

    @Test
    void denyByAnOutsiderIsRefused() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        assertThatThrownBy(() -> gate.deny(op.id(), MALLORY, "because")).isInstanceOf(NotAllowedException.class)
                .hasMessage("denying deploy #1 needs role releng (you are chat:mallory)");
        assertThat(op.state()).isEqualTo(OperationState.PENDING_APPROVAL);
        assertThat(record(op).state()).isEqualTo(OperationState.PENDING_APPROVAL);
        assertThat(events(op)).hasSize(1);
        assertThat(gate.pending(op.id())).isPresent();
    }

    @Test
    void expireDueExpiresAtExactlyTheExpiryInstant() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        Instant expiry = T0.plus(ApprovalPolicy.DEFAULT_TIMEOUT);
        ticker.advance(ApprovalPolicy.DEFAULT_TIMEOUT.minusNanos(1));
        assertThat(gate.expireDue()).isEmpty();
        assertThat(op.state()).isEqualTo(OperationState.PENDING_APPROVAL);

        ticker.advance(Duration.ofNanos(1));
        List<PendingApproval> expired = gate.expireDue();
        assertThat(expired).singleElement().satisfies(p -> {
            assertThat(p.operation()).isSameAs(op);
            assertThat(p.expiresAt()).isEqualTo(expiry);
        });
        assertThat(op.state()).isEqualTo(OperationState.EXPIRED);
        assertThat(op.endedAt()).isEqualTo(expiry);
        assertThat(record(op).state()).isEqualTo(OperationState.EXPIRED);
        assertThat(record(op).detail()).isEqualTo("approval expired at 2026-11-21T10:15:00Z");
        assertThat(events(op)).last().isEqualTo(new ApprovalRecord(ApprovalRecord.Kind.EXPIRED, null, "", expiry));
        assertThat(gate.pending()).isEmpty();
        assertThat(gate.expireDue()).isEmpty();
        assertThat(events(op)).hasSize(2);
    }

    @Test
    void expireDueLeavesRequestsNotYetDue() {
        Operation shortOne = requested(new ApprovalPolicy("releng", 1, false, Duration.ofMinutes(5)), ALICE);
        Operation longOne = requested(new ApprovalPolicy("releng", 1, false, Duration.ofMinutes(60)), ALICE);
        ticker.advance(Duration.ofMinutes(10));
        assertThat(gate.expireDue()).extracting(PendingApproval::operation).containsExactly(shortOne);
        assertThat(gate.pending()).extracting(PendingApproval::operation).containsExactly(longOne);
        assertThat(longOne.state()).isEqualTo(OperationState.PENDING_APPROVAL);
    }

    @Test
    void approvalAfterExpiryExpiresTheRequest() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        ticker.advance(Duration.ofMinutes(16));
        assertThatThrownBy(() -> gate.approve(op.id(), BOB)).isInstanceOf(UserFacingException.class)
                .hasMessage("deploy #1 expired at 2026-11-21T10:15:00Z; ask again with a new request");
        assertThat(op.state()).isEqualTo(OperationState.EXPIRED);
        assertThat(record(op).state()).isEqualTo(OperationState.EXPIRED);
        assertThat(events(op)).extracting(ApprovalRecord::kind)
                .containsExactly(ApprovalRecord.Kind.REQUESTED, ApprovalRecord.Kind.EXPIRED);
        assertThat(gate.pending()).isEmpty();
        assertThatThrownBy(() -> gate.approve(op.id(), BOB)).hasMessage("#1 is not waiting for approval");
    }

    @Test
    void approvalAtExactlyTheExpiryInstantIsTooLate() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        ticker.advance(ApprovalPolicy.DEFAULT_TIMEOUT);
        assertThatThrownBy(() -> gate.approve(op.id(), BOB)).hasMessageContaining("expired at");
        assertThat(op.state()).isEqualTo(OperationState.EXPIRED);
    }

    @Test
    void denyAfterExpiryExpiresTheRequest() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        ticker.advance(Duration.ofHours(1));
        assertThatThrownBy(() -> gate.deny(op.id(), BOB, "late")).hasMessageContaining("expired at");
        assertThat(op.state()).isEqualTo(OperationState.EXPIRED);
        assertThat(events(op)).extracting(ApprovalRecord::kind).doesNotContain(ApprovalRecord.Kind.DENIED);
    }

    @Test
    void restoreKeepsExpiryAndCountedApprovers() {
        Operation op = requested(ApprovalPolicy.of("releng", 2), ALICE);
        gate.approve(op.id(), BOB);
        Instant expiry = gate.pending(op.id()).orElseThrow().expiresAt();

        ticker.advance(Duration.ofMinutes(5));
        ApprovalGate restarted = new ApprovalGate(journal, ticker, roles);
        restarted.restore(op, expiry, List.of(BOB));
        PendingApproval p = restarted.pending(op.id()).orElseThrow();
        assertThat(p.expiresAt()).isEqualTo(expiry);
        assertThat(p.approvedBy()).containsExactly(BOB);
        assertThat(p.missing()).isEqualTo(1);
        assertThatThrownBy(() -> restarted.approve(op.id(), BOB)).hasMessage("you already approved deploy #1 (1 of 2)");
        ApprovalGate.Result r = restarted.approve(op.id(), CAROL);
        assertThat(((ApprovalGate.Approved) r).approvedBy()).containsExactly(BOB, CAROL);
        assertThat(op.state()).isEqualTo(OperationState.QUEUED);
    }

    @Test
    void restoredRequestStillExpiresAtItsOriginalInstant() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        Instant expiry = gate.pending(op.id()).orElseThrow().expiresAt();
        ApprovalGate restarted = new ApprovalGate(journal, ticker, roles);
        restarted.restore(op, expiry, List.of());
        ticker.advance(Duration.ofMinutes(14));
        assertThat(restarted.expireDue()).isEmpty();
        ticker.advance(Duration.ofMinutes(1));
        assertThat(restarted.expireDue()).hasSize(1);
        assertThat(op.state()).isEqualTo(OperationState.EXPIRED);
    }

    @Test
    void withdrawRemovesAPendingRequestOnce() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        assertThat(gate.withdraw(op.id())).isTrue();
        assertThat(gate.withdraw(op.id())).isFalse();
        assertThat(gate.pending()).isEmpty();
        assertThat(gate.withdraw(new OperationId(99))).isFalse();
    }

    @Test
    void pendingListsOldestFirst() {
        Operation a = requested(ApprovalPolicy.of("releng", 1), ALICE);
        Operation b = requested(ApprovalPolicy.of("releng", 1), BOB);
        Operation c = requested(ApprovalPolicy.of("releng", 1), CAROL);
        gate.deny(b.id(), CAROL, "");
        assertThat(gate.pending()).extracting(PendingApproval::operation).containsExactly(a, c);
    }

    @Test
    void unknownIdIsNotWaiting() {
        assertThatThrownBy(() -> gate.approve(new OperationId(42), BOB)).isInstanceOf(UserFacingException.class)
                .hasMessage("#42 is not waiting for approval");
        assertThatThrownBy(() -> gate.deny(new OperationId(42), BOB, "x"))
                .hasMessage("#42 is not waiting for approval");
        assertThat(gate.pending(new OperationId(42))).isEmpty();
    }

    @Test
    void terminalOperationStaysTerminal() {
        Operation op = requested(ApprovalPolicy.of("releng", 1), ALICE);
        gate.deny(op.id(), BOB, "no");
        assertThat(op.transition(OperationState.QUEUED, ticker.now())).isFalse();
        assertThat(op.state()).isEqualTo(OperationState.DENIED);
    }

    @Test
    void aWithdrawnApprovalNoLongerCountsAndIsJournaled() {
        Operation op = requested(new ApprovalPolicy("releng", 2, false, Duration.ofMinutes(30)), ALICE);
        gate.approve(op.id(), BOB);
        assertThat(gate.hasApproved(op.id(), BOB)).isTrue();
        PendingApproval p = gate.withdrawApproval(op.id(), BOB, "reaction removed");
        assertThat(p.approvedBy()).isEmpty();
        assertThat(gate.hasApproved(op.id(), BOB)).isFalse();
        assertThat(events(op)).extracting(ApprovalRecord::kind).containsExactly(ApprovalRecord.Kind.REQUESTED,
                ApprovalRecord.Kind.APPROVED, ApprovalRecord.Kind.WITHDRAWN);
        assertThatThrownBy(() -> gate.withdrawApproval(op.id(), CAROL, "reaction removed"))
                .hasMessage("carol has no approval of deploy #1 to withdraw");
        gate.approve(op.id(), BOB);
        assertThat(gate.approve(op.id(), CAROL)).isInstanceOf(ApprovalGate.Approved.class);
    }
}
