package org.buildduty.app.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.buildduty.core.config.ConfigContext;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.ConnectorSettings;

/**
 * Reads {@code roles:} (role → identities) and {@code people:} (person → the identities one person uses). Each
 * identity is {@code <connector-id>:<principal>}, its principal checked as its connector type's reader says (IRC
 * account or hostmask with a host part that is not only wildcards, Matrix user id, Zulip email; any other type: not
 * empty); an identity belongs to one person at most.
 */
final class RolesReader {
    private static final Pattern ROLE = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    /** What a runbook says for every identity ({@code role: anyone}); no role may be named so. */
    private static final String ANYONE = "anyone";

    private final ConfigContext ctx;
    /**
     * The connector id of the identities schedules run as, {@code schedule:<runbook>}: no connector may have it, so
     * no chat user can be one.
     */
    static final String SCHEDULE = "schedule";

    private final Map<String, ConnectorSettings.PrincipalCheck> principalsById;

    /**
     * {@code principalsById}: connector id → how its principals are checked (by its type's reader), null when the
     * connector's type is bad; as {@link ConnectorsReader} records it.
     */
    RolesReader(ConfigContext ctx, Map<String, ConnectorSettings.PrincipalCheck> principalsById) {
        this.ctx = ctx;
        this.principalsById = principalsById;
    }

    Map<String, List<String>> read(ConfigSection top) {
        Map<String, List<String>> roles = new LinkedHashMap<>();
        top.namedEntries("roles").ifPresent(rs -> {
            for (Map.Entry<String, ConfigNode> e : rs.node().asMap().entrySet()) {
                if (!ROLE.matcher(e.getKey()).matches()) {
                    ctx.problems().add(e.getValue(),
                            "\"" + e.getKey() + "\" is not a role name ([A-Za-z][A-Za-z0-9_.-]*)");
                    continue;
                }
                if (e.getKey().equals(ANYONE)) {
                    ctx.problems().add(e.getValue(), "\"" + ANYONE + "\" is not a role name: a runbook's role: "
                            + ANYONE + " means every identity");
                    continue;
                }
                List<String> ids = new ArrayList<>();
                for (ConfigNode item : items(e.getValue())) {
                    ctx.problems().check(item::string).filter(s -> valid(item, s)).ifPresent(ids::add);
                }
                roles.put(e.getKey(), List.copyOf(ids));
            }
        });
        return Collections.unmodifiableMap(roles);
    }

    /** {@code people:}: person's name → identities; an identity listed under two people is an error. */
    Map<String, List<String>> people(ConfigSection top) {
        Map<String, List<String>> people = new LinkedHashMap<>();
        Map<String, String> owners = new HashMap<>();
        top.namedEntries("people").ifPresent(ps -> {
            for (Map.Entry<String, ConfigNode> e : ps.node().asMap().entrySet()) {
                String name = e.getKey();
                if (!ROLE.matcher(name).matches()) {
                    ctx.problems().add(e.getValue(),
                            "\"" + name + "\" is not a person's name ([A-Za-z][A-Za-z0-9_.-]*)");
                    continue;
                }
                List<String> ids = new ArrayList<>();
                for (ConfigNode item : items(e.getValue())) {
                    ctx.problems().check(item::string).filter(s -> valid(item, s)).ifPresent(id -> {
                        String owner = owners.putIfAbsent(id, name);
                        if (owner != null && !owner.equals(name)) {
                            ctx.problems().add(item, "\"" + id + "\" is already listed under " + owner
                                    + " (an identity belongs to one person)");
                        } else if (!ids.contains(id)) {
                            ids.add(id);
                        }
                    });
                }
                people.put(name, List.copyOf(ids));
            }
        });
        return Collections.unmodifiableMap(people);
    }

    private List<ConfigNode> items(ConfigNode v) {
        return v.isScalar() ? List.of(v) : ctx.problems().check(v::asList).orElse(List.of());
    }

    private boolean valid(ConfigNode at, String identity) {
        Optional<String> problem = problem(identity);
        problem.ifPresent(p -> ctx.problems().add(at, "\"" + identity + "\" " + p));
        return problem.isEmpty();
    }

    private Optional<String> problem(String identity) {
        int colon = identity.indexOf(':');
        if (colon <= 0 || colon == identity.length() - 1) {
            return Optional.of("is not <connector>:<principal> (an identity is never a bare nick)");
        }
        String id = identity.substring(0, colon);
        String principal = identity.substring(colon + 1);
        if (id.equals(SCHEDULE)) {
            return principal.matches("[a-z][a-z0-9-]{0,39}") ? Optional.empty()
                    : Optional.of("is not schedule:<runbook name> (the identity a runbook's schedule runs as)");
        }
        if (!principalsById.containsKey(id)) {
            return Optional.of("names no configured connector \"" + id + "\" (connectors: "
                    + String.join(", ", principalsById.keySet().stream().sorted().toList()) + ")");
        }
        ConnectorSettings.PrincipalCheck check = principalsById.get(id);
        return (check == null ? ConnectorSettings.PrincipalCheck.NOT_EMPTY : check).problem(id, principal);
    }
}
