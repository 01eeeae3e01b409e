package org.buildduty.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.BotSettings;
import org.buildduty.app.config.ConnectorConfig;
import org.buildduty.commands.runbook.Runbook;

/**
 * The answer of a successful reload: what changed among what a reload applies (runbooks, roles, people, inventory
 * hosts, groups and disk roots), and on a second line what changed that only a restart applies.
 *
 * <pre>{@code
 * reloaded: runbooks +kernelci-update ~reconfig -old; roles: releng +libera:carol
 * not applied until restart: connectors (irc), web
 * }</pre>
 *
 * <p>A runbook is {@code ~} when its definition changed (any key of its file, or the file it is read from); a host
 * when any of its keys changed. Roles, people and groups list their members added ({@code +}) and removed
 * ({@code -}); one that is new or gone says so. Names are sorted.
 */
final class ReloadDiff {
    private ReloadDiff() {
    }

    /** What a reload reads: the whole configuration file and the runbooks it names. */
    record Loaded(BotConfig config, List<Runbook> runbooks) {
        Loaded {
            runbooks = List.copyOf(runbooks);
        }
    }

    /** The answer lines: the difference, then what waits for a restart (only when something does). */
    static List<String> answer(Loaded old, Loaded now) {
        List<String> lines = new ArrayList<>();
        List<String> applied = applied(old, now);
        lines.add("reloaded: " + (applied.isEmpty() ? "no changes" : String.join("; ", applied)));
        List<String> restart = restartOnly(old.config(), now.config());
        if (!restart.isEmpty()) {
            lines.add("not applied until restart: " + String.join(", ", restart));
        }
        return lines;
    }

    /** The sections of the difference that the reload applies, in a fixed order; empty when nothing changed. */
    static List<String> applied(Loaded old, Loaded now) {
        List<String> out = new ArrayList<>();
        section(out, "runbooks", changes(byName(old.runbooks(), Runbook::name), byName(now.runbooks(), Runbook::name)));
        section(out, "roles:", members(old.config().roles(), now.config().roles()));
        section(out, "people:", members(old.config().people(), now.config().people()));
        section(out, "hosts", changes(old.config().inventory().hostsByName(), now.config().inventory().hostsByName()));
        section(out, "groups:", members(old.config().inventory().groups(), now.config().inventory().groups()));
        section(out, "disk_roots", changes(old.config().inventory().diskRootsByHost(),
                now.config().inventory().diskRootsByHost()));
        return out;
    }

    /**
     * What changed that is read only at start: the connectors (by id), each key of {@code bot:} but
     * {@code runbooks}, {@code inventory.ssh}, {@code services} and {@code credentials}.
     */
    static List<String> restartOnly(BotConfig old, BotConfig now) {
        List<String> out = new ArrayList<>();
        List<String> connectors = connectors(old.connectors(), now.connectors());
        if (!connectors.isEmpty()) {
            out.add("connectors (" + String.join(", ", connectors) + ")");
        }
        BotSettings a = old.bot();
        BotSettings b = now.bot();
        changed(out, "prefix", a.prefix(), b.prefix());
        changed(out, "nick", a.nick(), b.nick());
        changed(out, "journal", List.of(a.journal(), a.cluster().postgres()),
                List.of(b.journal(), b.cluster().postgres()));
        changed(out, "instance", a.cluster().instance(), b.cluster().instance());
        changed(out, "ha", List.of(a.cluster().heartbeat(), a.cluster().takeoverAfter()),
                List.of(b.cluster().heartbeat(), b.cluster().takeoverAfter()));
        changed(out, "web", a.web(), b.web());
        changed(out, "web_url", a.webUrl(), b.webUrl());
        changed(out, "web_token", a.webToken(), b.webToken());
        changed(out, "anonymous", a.anonymous(), b.anonymous());
        changed(out, "max_live_operations", a.limits().maxLiveOperations(), b.limits().maxLiveOperations());
        changed(out, "max_pending_approvals", a.limits().maxPendingApprovals(), b.limits().maxPendingApprovals());
        changed(out, "private_approvals", a.privateApprovals(), b.privateApprovals());
        changed(out, "inventory.ssh", old.inventory().ssh(), now.inventory().ssh());
        changed(out, "services", old.services(), now.services());
        changed(out, "credentials", old.credentials(), now.credentials());
        return out;
    }

    private static void changed(List<String> out, String what, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            out.add(what);
        }
    }

    /** The ids of connectors added, removed or changed (type or settings; not where they are in the file). */
    private static List<String> connectors(List<ConnectorConfig> old, List<ConnectorConfig> now) {
        Map<String, List<Object>> a = new TreeMap<>();
        old.forEach(c -> a.put(c.id(), List.of(c.type(), c.settings())));
        Map<String, List<Object>> b = new TreeMap<>();
        now.forEach(c -> b.put(c.id(), List.of(c.type(), c.settings())));
        Set<String> ids = new TreeSet<>(a.keySet());
        ids.addAll(b.keySet());
        return ids.stream().filter(id -> !Objects.equals(a.get(id), b.get(id))).toList();
    }

    private static void section(List<String> out, String title, List<String> items) {
        if (!items.isEmpty()) {
            out.add(title + " " + String.join(title.endsWith(":") ? ", " : " ", items));
        }
    }

    private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
        Map<String, T> out = new LinkedHashMap<>();
        items.forEach(i -> out.put(name.apply(i), i));
        return out;
    }

    /** {@code +name} for each added, {@code ~name} for each changed, {@code -name} for each removed, sorted. */
    static List<String> changes(Map<String, ?> old, Map<String, ?> now) {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (String n : new TreeSet<>(now.keySet())) {
            if (!old.containsKey(n)) {
                added.add("+" + n);
            } else if (!Objects.equals(old.get(n), now.get(n))) {
                changed.add("~" + n);
            }
        }
        for (String n : new TreeSet<>(old.keySet())) {
            if (!now.containsKey(n)) {
                removed.add("-" + n);
            }
        }
        List<String> out = new ArrayList<>(added);
        out.addAll(changed);
        out.addAll(removed);
        return out;
    }

    /**
     * One item per name whose members changed: {@code releng +libera:carol -libera:bob}; a name that is new reads
     * {@code oncall (new) +libera:dave}, one that is gone {@code old (removed) -libera:x}.
     */
    static List<String> members(Map<String, List<String>> old, Map<String, List<String>> now) {
        Set<String> names = new TreeSet<>(old.keySet());
        names.addAll(now.keySet());
        List<String> out = new ArrayList<>();
        for (String n : names) {
            List<String> a = old.get(n);
            List<String> b = now.get(n);
            Set<String> before = a == null ? Set.of() : new TreeSet<>(a);
            Set<String> after = b == null ? Set.of() : new TreeSet<>(b);
            if (a != null && b != null && before.equals(after)) {
                continue;
            }
            StringBuilder sb = new StringBuilder(n);
            if (a == null) {
                sb.append(" (new)");
            } else if (b == null) {
                sb.append(" (removed)");
            }
            new TreeSet<>(after).stream().filter(m -> !before.contains(m)).forEach(m -> sb.append(" +").append(m));
            new TreeSet<>(before).stream().filter(m -> !after.contains(m)).forEach(m -> sb.append(" -").append(m));
            out.add(sb.toString());
        }
        return out;
    }
}
