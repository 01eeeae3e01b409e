package org.buildduty.app.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.buildduty.core.config.ConfigNode;

/**
 * Reads {@code roles:}: role → identities {@code <connector-id>:<principal>}, each checked against its connector's
 * kind of principal (IRC account or hostmask, Matrix user id, Zulip email).
 */
final class RolesReader {
    private static final Pattern ROLE = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    /** What a runbook says for every identity ({@code role: anyone}); no role may be named so. */
    private static final String ANYONE = "anyone";
    private static final Pattern HOSTMASK = Pattern.compile("[^!@\\s]+![^!@\\s]+@[^!@\\s]+");
    private static final Pattern ACCOUNT = Pattern.compile("[^!@\\s*?]+");

    private final Context ctx;
    private final Map<String, String> kindsById;

    /** {@code kindsById}: connector id → its kind of principal, as {@link ConnectorReader} records it. */
    RolesReader(Context ctx, Map<String, String> kindsById) {
        this.ctx = ctx;
        this.kindsById = kindsById;
    }

    Map<String, List<String>> read(Section top) {
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
                ConfigNode v = e.getValue();
                List<ConfigNode> items = v.isScalar() ? List.of(v) : ctx.problems().check(v::asList).orElse(List.of());
                for (ConfigNode item : items) {
                    ctx.problems().check(item::string).filter(s -> valid(item, s)).ifPresent(ids::add);
                }
                roles.put(e.getKey(), List.copyOf(ids));
            }
        });
        return Collections.unmodifiableMap(roles);
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
        if (!kindsById.containsKey(id)) {
            return Optional.of("names no configured connector \"" + id + "\" (connectors: "
                    + String.join(", ", kindsById.keySet().stream().sorted().toList()) + ")");
        }
        String type = kindsById.get(id);
        if (ConnectorReader.IRC_HOSTMASK.equals(type)) {
            return HOSTMASK.matcher(principal).matches() ? Optional.empty()
                    : Optional.of("is not a nick!user@host mask (connector " + id + " uses identity: hostmask)");
        }
        if ("irc".equals(type)) {
            return ACCOUNT.matcher(principal).matches() ? Optional.empty()
                    : Optional.of("is not a services account (connector " + id + " uses identity: account)");
        }
        if ("matrix".equals(type)) {
            return ConnectorReader.MATRIX_USER.matcher(principal).matches() ? Optional.empty()
                    : Optional.of("is not a Matrix user id (" + id + ":@name:server)");
        }
        if ("zulip".equals(type)) {
            return ConnectorReader.EMAIL.matcher(principal).matches() ? Optional.empty()
                    : Optional.of("is not a Zulip email (" + id + ":name@example.com)");
        }
        return principal.isBlank() ? Optional.of("has an empty principal") : Optional.empty();
    }
}
