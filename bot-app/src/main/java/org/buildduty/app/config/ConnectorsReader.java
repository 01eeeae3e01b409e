package org.buildduty.app.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.buildduty.core.config.ConfigContext;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.ConnectorSettings;

/**
 * Reads {@code connectors:}: ids and types; each type's keys are read by its reader in {@link ConnectorTypes}.
 */
final class ConnectorsReader {
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_-]*");
    private static final Set<String> COMMON = Set.of("id", "type");

    private final ConfigContext ctx;
    private final String botNick;

    ConnectorsReader(ConfigContext ctx, String botNick) {
        this.ctx = ctx;
        this.botNick = botNick;
    }

    /**
     * Every well-formed connector. {@code principalsById} gets each id seen, with how identities naming it are
     * checked; null when the type is bad.
     */
    List<ConnectorConfig> read(ConfigSection top, Map<String, ConnectorSettings.PrincipalCheck> principalsById) {
        if (!top.has("connectors")) {
            top.missing("connectors");
            return List.of();
        }
        ConfigNode list = top.child("connectors").orElseThrow();
        List<ConfigNode> items = ctx.problems().check(list::asList).orElse(null);
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty()) {
            ctx.problems().add(list, "at least one connector is needed (the console connector: {id: console, "
                    + "type: console})");
        }
        List<ConnectorConfig> out = new ArrayList<>();
        Map<String, Integer> lines = new HashMap<>();
        boolean local = false;
        for (ConfigNode item : items) {
            if (!item.isMap()) {
                ctx.problems().add(item, "expected a mapping of keys to values");
                continue;
            }
            ConfigSection s = ConfigSection.unchecked(item, ctx);
            Optional<ConnectorType<?, ?>> type = (s.has("type") ? s.oneOf("type", ConnectorTypes.names())
                    : missingValue(s, "type")).flatMap(ConnectorTypes::named);
            Optional<String> id = s.has("id")
                    ? s.matching("id", ID, "is not a connector id ([a-z][a-z0-9_-]*)") : missingValue(s, "id");
            if (id.isPresent() && id.get().equals(RolesReader.SCHEDULE)) {
                s.error("id", "\"" + RolesReader.SCHEDULE + "\" is reserved: schedule:<runbook> is the identity a"
                        + " runbook schedule runs as");
                id = Optional.empty();
            }
            if (id.isPresent()) {
                Integer first = lines.putIfAbsent(id.get(), s.child("id").orElseThrow().line());
                if (first != null) {
                    s.error("id", "duplicate connector id \"" + id.get() + "\" (first at line " + first + ")");
                    id = Optional.empty();
                } else {
                    principalsById.put(id.get(), type.map(t -> t.reader().principals(item)).orElse(null));
                }
            }
            if (type.isEmpty()) {
                continue;
            }
            Set<String> keys = new HashSet<>(COMMON);
            keys.addAll(type.get().reader().keys());
            ConfigSection typed = ConfigSection.of(item, ctx, keys);
            if (type.get().local()) {
                if (local) {
                    ctx.problems().add(item, "only one " + type.get().name() + " connector may be configured");
                }
                local = true;
            }
            Optional<? extends ConnectorSettings> settings = type.get().reader().read(typed, botNick);
            if (id.isPresent() && settings.isPresent()) {
                out.add(new ConnectorConfig(id.get(), type.get().name(), item, settings.get()));
            }
        }
        return List.copyOf(out);
    }

    private static Optional<String> missingValue(ConfigSection s, String key) {
        s.missing(key);
        return Optional.empty();
    }
}
