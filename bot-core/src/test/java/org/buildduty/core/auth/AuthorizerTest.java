package org.buildduty.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;

class AuthorizerTest {
    private static final Identity ALICE = Identity.parse("libera:alice");
    private static final Identity CAROL = Identity.parse("libera:carol");
    private static final Identity MALLORY = Identity.parse("libera:mallory");
    private static final Identity ALICE_ELSEWHERE = Identity.parse("oftc:alice");
    private static final Identity LOCAL = Identity.parse("console:local");

    private static final CommandSpec DEPLOY = spec("deploy", "releng");
    private static final CommandSpec OPS = spec("ops", null);
    private static final CommandSpec HELP = spec("help", null);
    private static final CommandSpec WHOAMI = spec("whoami", null);

    private static final RoleResolver ROLES = new RoleResolver(Map.of(
            "releng", List.of("libera:alice"),
            "sheriff", List.of("libera:carol")), Set.of(), Set.of("console"));

    private static CommandSpec spec(String name, String role) {
        CommandSpec.Builder b = CommandSpec.builder(name).handler(c -> Outcome.reply("ok"));
        if (role != null) {
            b.role(role);
        }
        return b.build();
    }

    @Test
    void roleHolderMayRunTheCommand() {
        Authorizer.Decision d = new Authorizer(ROLES, false).decide(ALICE, DEPLOY);
        assertThat(d.allowed()).isTrue();
        assertThat(d.reason()).isEmpty();
    }

    @Test
    void denialNamesTheRoleAndTheIdentity() {
        Authorizer a = new Authorizer(ROLES, true);
        Authorizer.Decision d = a.decide(MALLORY, DEPLOY);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo("deploy needs role releng (you are libera:mallory)");
        assertThat(a.decide(CAROL, DEPLOY).reason()).isEqualTo("deploy needs role releng (you are libera:carol)");
    }

    @Test
    void anonymousUseDoesNotOpenRoleCommands() {
        assertThat(new Authorizer(ROLES, true).decide(MALLORY, DEPLOY).allowed()).isFalse();
    }

    @Test
    void samePrincipalOnAnotherConnectorIsDenied() {
        Authorizer.Decision d = new Authorizer(ROLES, false).decide(ALICE_ELSEWHERE, DEPLOY);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).contains("needs role releng").contains("oftc:alice");
    }

    @Test
    void roleLessCommandIsOpenToAnyRoleHolder() {
        Authorizer a = new Authorizer(ROLES, false);
        assertThat(a.decide(ALICE, OPS).allowed()).isTrue();
        assertThat(a.decide(CAROL, OPS).allowed()).isTrue();
    }

    @Test
    void roleLessCommandIsClosedToStrangersWithoutAnonymousUse() {
        Authorizer.Decision d = new Authorizer(ROLES, false).decide(MALLORY, OPS);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo("ops needs a role; libera:mallory has none");
    }

    @Test
    void roleLessCommandIsOpenToStrangersWithAnonymousUse() {
        assertThat(new Authorizer(ROLES, true).decide(MALLORY, OPS).allowed()).isTrue();
    }

    @Test
    void helpAndWhoamiAreAlwaysOpen() {
        Authorizer closed = new Authorizer(ROLES, false);
        assertThat(closed.decide(MALLORY, HELP).allowed()).isTrue();
        assertThat(closed.decide(MALLORY, WHOAMI).allowed()).isTrue();
        assertThat(closed.decide(ALICE_ELSEWHERE, HELP).allowed()).isTrue();
    }

    @Test
    void ownerMayRunEverything() {
        Authorizer a = new Authorizer(ROLES, false);
        assertThat(a.decide(LOCAL, DEPLOY).allowed()).isTrue();
        assertThat(a.decide(LOCAL, OPS).allowed()).isTrue();
        assertThat(a.decide(LOCAL, spec("secret", "not-configured")).allowed()).isTrue();
    }

    @Test
    void ownerWithoutAnyConfiguredRolesMayRunRoleLessCommands() {
        Authorizer a = new Authorizer(new RoleResolver(Map.of(), Set.of(), Set.of("console")), false);
        assertThat(a.decide(LOCAL, OPS).allowed()).isTrue();
        assertThat(a.decide(MALLORY, OPS).allowed()).isFalse();
    }

    @Test
    void failsClosedWhenRoleLookupThrows() {
        RoleResolver broken = new RoleResolver(Map.of("releng", new ExplodingList()), Set.of(), Set.of("console"));
        Authorizer closed = new Authorizer(broken, false);
        Authorizer.Decision d = closed.decide(ALICE, DEPLOY);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo("authorization failed; denied").doesNotContain("boom");
        assertThat(closed.decide(ALICE, OPS).allowed()).isFalse();
        assertThat(new Authorizer(broken, true).decide(ALICE, DEPLOY).allowed()).isFalse();
        // help stays reachable, and the owner needs no lookup
        assertThat(closed.decide(ALICE, HELP).allowed()).isTrue();
        assertThat(closed.decide(LOCAL, DEPLOY).allowed()).isTrue();
    }

    @Test
    void exposesItsResolver() {
        assertThat(new Authorizer(ROLES, false).roles()).isSameAs(ROLES);
    }

    /** A members list whose every read throws, as a broken configuration source would. */
    private static final class ExplodingList extends AbstractList<String> {
        @Override
        public String get(int index) {
            throw new IllegalStateException("boom");
        }

        @Override
        public int size() {
            return 1;
        }
    }
}
