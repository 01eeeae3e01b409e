package org.buildduty.core.auth;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.buildduty.core.chat.Identity;

/**
 * Maps an identity to the roles configuration gives it. Matching is exact on {@code connector:principal}, except on
 * connectors configured with {@code identity: hostmask}, where a role entry may be a {@code nick!user@host} mask
 * with {@code *} and {@code ?}. Identities of "owner" connectors (the console) hold every role.
 */
public final class RoleResolver {
    private final Map<String, List<String>> roles;
    private final Set<String> hostmaskConnectors;
    private final Set<String> ownerConnectors;

    /**
     * @param roles role name → identity strings or masks
     * @param hostmaskConnectors connector ids whose principals are hostmasks
     * @param ownerConnectors connector ids whose identities hold every role (the local console)
     */
    public RoleResolver(Map<String, List<String>> roles, Set<String> hostmaskConnectors, Set<String> ownerConnectors) {
        this.roles = Map.copyOf(roles);
        this.hostmaskConnectors = Set.copyOf(hostmaskConnectors);
        this.ownerConnectors = Set.copyOf(ownerConnectors);
    }

    /** The roles of an identity, sorted; empty for an unknown one. */
    public Set<String> rolesOf(Identity who) {
        if (ownerConnectors.contains(who.connectorId())) {
            return Collections.unmodifiableSet(new TreeSet<>(roles.keySet().isEmpty() ? Set.of() : roles.keySet()));
        }
        Set<String> out = new TreeSet<>();
        roles.forEach((role, members) -> {
            for (String m : members) {
                if (matches(m, who)) {
                    out.add(role);
                    break;
                }
            }
        });
        return Collections.unmodifiableSet(out);
    }

    /** True if the identity holds the role (owners hold every role, even ones not configured). */
    public boolean hasRole(Identity who, String role) {
        return ownerConnectors.contains(who.connectorId()) || rolesOf(who).contains(role);
    }

    /** True for an identity of an owner connector. */
    public boolean isOwner(Identity who) {
        return ownerConnectors.contains(who.connectorId());
    }

    private boolean matches(String entry, Identity who) {
        int colon = entry.indexOf(':');
        if (colon <= 0 || !entry.substring(0, colon).equals(who.connectorId())) {
            return false;
        }
        String principal = entry.substring(colon + 1);
        if (hostmaskConnectors.contains(who.connectorId()) && (principal.contains("*") || principal.contains("?"))) {
            return glob(principal).matcher(who.principal()).matches();
        }
        return principal.equals(who.principal());
    }

    private static Pattern glob(String mask) {
        StringBuilder re = new StringBuilder();
        for (char c : mask.toCharArray()) {
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE);
    }
}
