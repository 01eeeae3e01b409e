package org.buildduty.core.auth;

import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.chat.Identity;

/**
 * Decides whether an identity may run a command. It fails closed: any doubt or error is a denial.
 *
 * <p>A command that names a role needs that role. A command that names none is open to identities holding any role,
 * and to identities holding none only when configuration allows anonymous use; {@code help} and {@code whoami} are
 * always open so people can find out why they are refused.
 */
public final class Authorizer {
    private static final Logger LOG = LoggerFactory.getLogger(Authorizer.class);

    private final RoleResolver roles;
    private final boolean anonymous;

    public Authorizer(RoleResolver roles, boolean anonymous) {
        this.roles = Objects.requireNonNull(roles, "roles");
        this.anonymous = anonymous;
    }

    /** The outcome of a check, with a chat-safe reason when denied. */
    public record Decision(boolean allowed, String reason) {
        static Decision allow() {
            return new Decision(true, "");
        }

        static Decision deny(String reason) {
            return new Decision(false, reason);
        }
    }

    /** Checks one identity against one command (or any other guarded action). */
    public Decision decide(Identity who, Guarded spec) {
        try {
            if (spec.requiredRole().isPresent()) {
                String role = spec.requiredRole().get();
                return roles.hasRole(who, role) ? Decision.allow()
                        : Decision.deny(spec.name() + " needs role " + role + " (you are " + who + ")");
            }
            if (anonymous || spec.name().equals("help") || spec.name().equals("whoami")
                    || roles.isOwner(who) || !roles.rolesOf(who).isEmpty()) {
                return Decision.allow();
            }
            return Decision.deny(spec.name() + " needs a role; " + who + " has none");
        } catch (RuntimeException e) {
            LOG.error("authorization of {} for {} failed; denying", who, spec.name(), e);
            return Decision.deny("authorization failed; denied");
        }
    }

    /** The role resolver behind this authorizer. */
    public RoleResolver roles() {
        return roles;
    }
}
