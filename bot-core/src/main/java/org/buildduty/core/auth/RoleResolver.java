package org.buildduty.core.auth;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.buildduty.core.chat.Identity;

/**
 * Maps an identity to the roles configuration gives it, and to the person behind it. Matching is exact on
 * {@code connector:principal}, except on connectors configured with {@code identity: hostmask}, where an entry may be
 * a {@code nick!user@host} mask with {@code *} and {@code ?}. Identities of "owner" connectors (the console) hold
 * every role.
 *
 * <p>People ({@code people:} in the configuration) name the identities one person uses, on any connector. Two
 * identities are the same person for a role when a person lists both, when they are equal, or, on a hostmask
 * connector, when one entry of that role matches both: there the entry stands for the person, since whoever connects
 * from its host can pick any nick or ident it allows.
 *
 * <p>A live reload of the configuration {@link #replaceWith replaces} the roles and people of the resolver every part
 * of the bot holds, at once: each call reads either the whole old table or the whole new one.
 *
 * <pre>{@code
 * RoleResolver r = new RoleResolver(Map.of("releng", List.of("libera:alice", "oftc:*!*@bob.example.org")),
 *         Map.of("alice", List.of("libera:alice", "matrix:@alice:example.org")), Set.of("oftc"), Set.of());
 * r.samePerson(Identity.parse("libera:alice"), Identity.parse("matrix:@alice:example.org"), "releng"); // true
 * }</pre>
 */
public final class RoleResolver {
    private volatile Table table;

    /** What the configuration says, read as one: a reload swaps the whole table. */
    private record Table(Map<String, List<String>> roles, Map<String, List<String>> people,
            Set<String> hostmaskConnectors, Set<String> ownerConnectors) {
    }

    /**
     * A resolver where every identity is its own person.
     *
     * @param roles role name → identity strings or masks
     * @param hostmaskConnectors connector ids whose principals are hostmasks
     * @param ownerConnectors connector ids whose identities hold every role (the local console)
     */
    public RoleResolver(Map<String, List<String>> roles, Set<String> hostmaskConnectors, Set<String> ownerConnectors) {
        this(roles, Map.of(), hostmaskConnectors, ownerConnectors);
    }

    /**
     * @param roles role name → identity strings or masks
     * @param people person's name → the identity strings (or, on hostmask connectors, masks) that person uses; a
     *               name holds no {@code :}
     * @param hostmaskConnectors connector ids whose principals are hostmasks
     * @param ownerConnectors connector ids whose identities hold every role (the local console)
     */
    public RoleResolver(Map<String, List<String>> roles, Map<String, List<String>> people,
            Set<String> hostmaskConnectors, Set<String> ownerConnectors) {
        for (String name : people.keySet()) {
            if (name.isEmpty() || name.contains(":")) {
                throw new IllegalArgumentException("bad person name: " + name);
            }
        }
        this.table = new Table(Map.copyOf(roles), Collections.unmodifiableMap(new TreeMap<>(people)),
                Set.copyOf(hostmaskConnectors), Set.copyOf(ownerConnectors));
    }

    /**
     * Takes the roles, people and connectors of {@code next} in one step (a live reload): a call in progress finishes
     * with the old table, the next call sees the new one.
     */
    public void replaceWith(RoleResolver next) {
        this.table = next.table;
    }

    /** The roles of an identity, sorted; empty for an unknown one. */
    public Set<String> rolesOf(Identity who) {
        Table t = table;
        if (t.ownerConnectors().contains(who.connectorId())) {
            return Collections.unmodifiableSet(new TreeSet<>(t.roles().keySet()));
        }
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, List<String>> role : t.roles().entrySet()) {
            for (String m : role.getValue()) {
                if (matches(t, m, who)) {
                    out.add(role.getKey());
                    break;
                }
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** True if the identity holds the role (owners hold every role, even ones not configured). */
    public boolean hasRole(Identity who, String role) {
        return isOwner(who) || rolesOf(who).contains(role);
    }

    /** True for an identity of an owner connector. */
    public boolean isOwner(Identity who) {
        return table.ownerConnectors().contains(who.connectorId());
    }

    /**
     * The person behind an identity, for counting per person: the name of the first person (by name) who lists it,
     * else the identity itself ({@code libera:alice}).
     */
    public String person(Identity who) {
        Table t = table;
        for (Map.Entry<String, List<String>> p : t.people().entrySet()) {
            for (String entry : p.getValue()) {
                if (matches(t, entry, who)) {
                    return p.getKey();
                }
            }
        }
        return who.toString();
    }

    /**
     * The names under which {@code who} counts when acting with {@code role}: the identity, every person listing
     * it, and on a hostmask connector every entry of the role it matches. Two identities sharing a name are one
     * person.
     */
    public Set<String> personKeys(Identity who, String role) {
        return personKeys(table, who, role);
    }

    private static Set<String> personKeys(Table t, Identity who, String role) {
        Set<String> keys = new LinkedHashSet<>();
        t.people().forEach((name, entries) -> {
            for (String entry : entries) {
                if (matches(t, entry, who)) {
                    keys.add(name);
                    break;
                }
            }
        });
        if (t.hostmaskConnectors().contains(who.connectorId())) {
            for (String entry : t.roles().getOrDefault(role, List.of())) {
                if (matches(t, entry, who)) {
                    keys.add(entry);
                }
            }
        }
        keys.add(who.toString());
        return Collections.unmodifiableSet(keys);
    }

    /** True when {@code a} and {@code b} are one person acting with {@code role} (see the class comment). */
    public boolean samePerson(Identity a, Identity b, String role) {
        if (a.equals(b)) {
            return true;
        }
        Table t = table;
        Set<String> shared = new HashSet<>(personKeys(t, a, role));
        shared.retainAll(personKeys(t, b, role));
        return !shared.isEmpty();
    }

    private static boolean matches(Table t, String entry, Identity who) {
        int colon = entry.indexOf(':');
        if (colon <= 0 || !entry.substring(0, colon).equals(who.connectorId())) {
            return false;
        }
        String principal = entry.substring(colon + 1);
        boolean mask = principal.contains("*") || principal.contains("?");
        if (mask && t.hostmaskConnectors().contains(who.connectorId())) {
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
