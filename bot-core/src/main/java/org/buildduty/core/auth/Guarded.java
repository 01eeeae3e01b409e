package org.buildduty.core.auth;

import java.util.Optional;

/**
 * What an {@link Authorizer} checks a caller against: a named action and the role it needs, if any. A command's
 * spec is one.
 */
public interface Guarded {
    /** The name shown in a refusal, e.g. {@code reconfig}. */
    String name();

    /** The role a caller must hold; empty when any role (or none, where anonymous use is allowed) will do. */
    Optional<String> requiredRole();
}
