package org.buildduty.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.Identity;

class RoleResolverTest {
    private static final Set<String> NONE = Set.of();

    private static Identity id(String text) {
        return Identity.parse(text);
    }

    @Test
    void exactIdentityMatchGivesTheRole() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("libera:alice", "matrix:@bob:example.org")),
                NONE, NONE);
        assertThat(r.rolesOf(id("libera:alice"))).containsExactly("releng");
        assertThat(r.rolesOf(id("matrix:@bob:example.org"))).containsExactly("releng");
        assertThat(r.hasRole(id("libera:alice"), "releng")).isTrue();
        assertThat(r.hasRole(id("libera:alice"), "sheriff")).isFalse();
        assertThat(r.isOwner(id("libera:alice"))).isFalse();
    }

    @Test
    void principalIsCaseSensitiveOnAccountConnectors() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("libera:alice")), NONE, NONE);
        assertThat(r.rolesOf(id("libera:Alice"))).isEmpty();
        assertThat(r.rolesOf(id("libera:alice2"))).isEmpty();
    }

    @Test
    void samePrincipalOnAnotherConnectorDoesNotMatch() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("libera:alice")), NONE, NONE);
        assertThat(r.rolesOf(id("oftc:alice"))).isEmpty();
        assertThat(r.hasRole(id("oftc:alice"), "releng")).isFalse();
        assertThat(r.rolesOf(id("zulip:alice"))).isEmpty();
    }

    @Test
    void theConnectorIsTheWholePartBeforeTheColon() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("liberax:alice", "libera:alice:x", "libera:")),
                NONE, NONE);
        assertThat(r.rolesOf(id("libera:alice"))).isEmpty();
        assertThat(r.rolesOf(id("liber:alice"))).isEmpty();
        RoleResolver both = new RoleResolver(Map.of("releng", List.of("libera:ali", "liberax:alice"),
                "admin", List.of("oftc:alice", "libera:alice")), NONE, NONE);
        assertThat(both.rolesOf(id("libera:alice"))).containsExactly("admin");
    }

    @Test
    void bareNickNeverMatches() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("alice", ":alice", "*")), Set.of("oftc"), NONE);
        assertThat(r.rolesOf(id("libera:alice"))).isEmpty();
        assertThat(r.rolesOf(id("oftc:alice"))).isEmpty();
        assertThat(r.rolesOf(id("oftc:alice!a@host"))).isEmpty();
    }

    @Test
    void unknownIdentityHasNoRoles() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("libera:alice")), NONE, NONE);
        assertThat(r.rolesOf(id("libera:mallory"))).isEmpty();
        assertThat(r.isOwner(id("libera:mallory"))).isFalse();
    }

    @Test
    void hostmaskGlobsMatchOnHostmaskConnectors() {
        RoleResolver r = new RoleResolver(Map.of(
                "releng", List.of("oftc:*!*@releng.example.org"),
                "sheriff", List.of("oftc:bob!b?b@*.example.org")), Set.of("oftc"), NONE);
        assertThat(r.rolesOf(id("oftc:alice!al@releng.example.org"))).containsExactly("releng");
        assertThat(r.rolesOf(id("oftc:ALICE!al@RELENG.example.org"))).containsExactly("releng");
        assertThat(r.rolesOf(id("oftc:alice!al@evil.example.org"))).isEmpty();
        assertThat(r.rolesOf(id("oftc:alice!al@releng.example.org.evil.net"))).isEmpty();
        assertThat(r.rolesOf(id("oftc:bob!bob@home.example.org"))).containsExactly("sheriff");
        assertThat(r.rolesOf(id("oftc:bob!boob@home.example.org"))).isEmpty();
    }

    @Test
    void globCharactersOtherThanStarAndQuestionMarkAreLiteral() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("oftc:a.b!*@h[1]")), Set.of("oftc"), NONE);
        assertThat(r.rolesOf(id("oftc:a.b!x@h[1]"))).containsExactly("releng");
        assertThat(r.rolesOf(id("oftc:axb!x@h[1]"))).isEmpty();
        assertThat(r.rolesOf(id("oftc:a.b!x@h1"))).isEmpty();
    }

    @Test
    void hostmaskWithoutWildcardsNeedsAnExactMatch() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("oftc:alice!al@host")), Set.of("oftc"), NONE);
        assertThat(r.rolesOf(id("oftc:alice!al@host"))).containsExactly("releng");
        assertThat(r.rolesOf(id("oftc:alice!al@host2"))).isEmpty();
    }

    @Test
    void starOnAnAccountConnectorIsNotAWildcard() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("libera:*", "matrix:@*:example.org",
                "zulip:?")), Set.of("oftc"), NONE);
        assertThat(r.rolesOf(id("libera:alice"))).isEmpty();
        assertThat(r.rolesOf(id("libera:mallory"))).isEmpty();
        assertThat(r.rolesOf(id("matrix:@eve:example.org"))).isEmpty();
        assertThat(r.rolesOf(id("zulip:x"))).isEmpty();
        // only the literal principal matches
        assertThat(r.rolesOf(id("libera:*"))).containsExactly("releng");
    }

    @Test
    void aHostmaskConnectorsGlobDoesNotLeakToOtherConnectors() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("oftc:*")), Set.of("oftc"), NONE);
        assertThat(r.rolesOf(id("oftc:anyone!x@y"))).containsExactly("releng");
        assertThat(r.rolesOf(id("libera:anyone!x@y"))).isEmpty();
    }

    @Test
    void rolesAreSortedAndDistinct() {
        RoleResolver r = new RoleResolver(Map.of(
                "sheriff", List.of("libera:alice"),
                "admin", List.of("libera:alice", "libera:alice"),
                "releng", List.of("libera:bob", "libera:alice")), NONE, NONE);
        assertThat(r.rolesOf(id("libera:alice"))).containsExactly("admin", "releng", "sheriff");
        assertThat(r.rolesOf(id("libera:bob"))).containsExactly("releng");
    }

    @Test
    void ownerConnectorsHoldEveryRole() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("libera:alice"), "admin", List.of()), NONE,
                Set.of("console"));
        Identity local = id("console:local");
        assertThat(r.isOwner(local)).isTrue();
        assertThat(r.rolesOf(local)).containsExactly("admin", "releng");
        assertThat(r.hasRole(local, "releng")).isTrue();
        assertThat(r.hasRole(local, "not-configured-anywhere")).isTrue();
    }

    @Test
    void ownerWithNoRolesConfiguredStillHoldsAnyRole() {
        RoleResolver r = new RoleResolver(Map.of(), NONE, Set.of("console"));
        assertThat(r.rolesOf(id("console:local"))).isEmpty();
        assertThat(r.hasRole(id("console:local"), "releng")).isTrue();
        assertThat(r.hasRole(id("libera:alice"), "releng")).isFalse();
    }

    @Test
    void rolesOfIsUnmodifiable() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("libera:alice")), NONE, NONE);
        Set<String> roles = r.rolesOf(id("libera:alice"));
        assertThatThrownBy(() -> roles.add("admin"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
    @Test
    void peopleJoinIdentitiesAcrossConnectors() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("libera:alice", "matrix:@alice:x.org",
                "libera:bob")), Map.of("alice", List.of("libera:alice", "matrix:@alice:x.org", "oftc:*!*@alice.host")),
                Set.of("oftc"), NONE);
        assertThat(r.person(id("matrix:@alice:x.org"))).isEqualTo("alice");
        assertThat(r.person(id("oftc:Al!x@alice.host"))).isEqualTo("alice");
        assertThat(r.person(id("libera:bob"))).isEqualTo("libera:bob");
        assertThat(r.samePerson(id("libera:alice"), id("matrix:@alice:x.org"), "releng")).isTrue();
        assertThat(r.samePerson(id("libera:alice"), id("oftc:a!b@alice.host"), "releng")).isTrue();
        assertThat(r.samePerson(id("libera:alice"), id("libera:bob"), "releng")).isFalse();
        // roles stay per identity: a person's other identity gets no role from the first
        assertThat(r.rolesOf(id("oftc:a!b@alice.host"))).isEmpty();
    }

    @Test
    void onAHostmaskConnectorTheMatchedEntryIsThePerson() {
        RoleResolver r = new RoleResolver(Map.of("releng", List.of("oftc:*!*@alice.host", "oftc:bob!*@bob.host"),
                "sheriff", List.of("oftc:*!*@*.host")), Set.of("oftc"), NONE);
        assertThat(r.personKeys(id("oftc:Alice!al@alice.host"), "releng"))
                .containsExactly("oftc:*!*@alice.host", "oftc:Alice!al@alice.host");
        assertThat(r.samePerson(id("oftc:alice!al@alice.host"), id("oftc:ALICE!other@alice.host"), "releng")).isTrue();
        assertThat(r.samePerson(id("oftc:alice!al@alice.host"), id("oftc:bob!b@bob.host"), "releng")).isFalse();
        // one entry of the sheriff role matches both hosts: for sheriff approvals they are one person
        assertThat(r.samePerson(id("oftc:alice!al@alice.host"), id("oftc:bob!b@bob.host"), "sheriff")).isTrue();
    }

    @Test
    void aPersonNameCannotLookLikeAnIdentity() {
        assertThatThrownBy(() -> new RoleResolver(Map.of(), Map.of("libera:alice", List.of("libera:alice")), NONE,
                NONE)).isInstanceOf(IllegalArgumentException.class);
    }
}
