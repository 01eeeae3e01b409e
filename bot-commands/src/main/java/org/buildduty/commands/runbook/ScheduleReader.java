package org.buildduty.commands.runbook;

import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.chat.AnnounceTarget;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigProblems;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.param.ParamSpec;

/**
 * Reads a runbook's {@code schedule: {cron, params, notify, on_overlap, misfire, timezone}}, recording each problem
 * at its line: a cron expression cron-utils refuses, a parameter the runbook does not declare (or a value it
 * refuses, checked by planning the runbook with them), an unknown {@code on_overlap} or {@code misfire}, an unknown
 * time zone, a bad {@code notify} target.
 */
final class ScheduleReader {
    private static final Set<String> KEYS = Set.of("cron", "params", "notify", "on_overlap", "misfire", "timezone");

    private final ConfigProblems problems;
    private final Set<String> connectorIds;

    ScheduleReader(ConfigProblems problems, Set<String> connectorIds) {
        this.problems = problems;
        this.connectorIds = connectorIds;
    }

    /** The schedule, or empty with its problems recorded; {@code params} are the runbook's declared ones. */
    Optional<Schedule> read(ConfigNode n, Map<String, ParamSpec> params) {
        if (!n.isMap()) {
            problems.add(n, "expected a mapping: cron, params, notify, on_overlap, misfire, timezone");
            return Optional.empty();
        }
        int before = problems.errors().size();
        n.checkKeys(problems, KEYS);
        String cron = problems.check(() -> cron(n.require("cron"))).orElse(null);
        Map<String, String> values = n.get("params").map(p -> params(p, params)).orElse(Map.of());
        String notify = problems.check(() -> notify(n.require("notify"))).orElse(null);
        Schedule.OnOverlap overlap = n.get("on_overlap").flatMap(o -> problems.check(() -> Schedule.OnOverlap
                .valueOf(upper(oneOf(o, "skip", "queue"))))).orElse(Schedule.OnOverlap.SKIP);
        Schedule.Misfire misfire = n.get("misfire").flatMap(o -> problems.check(() -> Schedule.Misfire
                .valueOf(upper(oneOf(o, "skip", "run_once"))))).orElse(Schedule.Misfire.SKIP);
        ZoneId zone = n.get("timezone").flatMap(z -> problems.check(() -> zone(z))).orElse(null);
        if (problems.errors().size() > before || cron == null || notify == null) {
            return Optional.empty();
        }
        return Optional.of(new Schedule(cron, values, notify, overlap, misfire, zone));
    }

    /** Checks that the runbook plans with the schedule's parameters; records the problem at {@code at}. */
    void checkPlans(Runbook rb, ConfigNode at, Inventory inventory) {
        rb.scheduled().ifPresent(s -> {
            try {
                rb.plan(s.params(), inventory);
            } catch (InvalidValueException e) {
                problems.add(at, "the scheduled run would fail: " + e.getMessage());
            }
        });
    }

    private static String cron(ConfigNode n) {
        String s = n.string();
        try {
            Schedule.parse(s);
        } catch (IllegalArgumentException e) {
            throw n.error("not a cron expression (minute hour day-of-month month day-of-week, e.g. \"0 6 * * 1-5\"): "
                    + e.getMessage());
        }
        return s.strip();
    }

    private Map<String, String> params(ConfigNode n, Map<String, ParamSpec> declared) {
        Map<String, ConfigNode> entries = problems.check(n::asMap).orElse(Map.of());
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : entries.entrySet()) {
            String name = e.getKey();
            ParamSpec p = declared.get(name);
            if (p == null) {
                p = declared.get(name.replace('-', '_'));
            }
            if (p == null) {
                problems.add(e.getValue(), "unknown parameter \"" + RunbookPlanner.shown(name) + "\" (parameters: "
                        + (declared.isEmpty() ? "none" : String.join(", ", declared.keySet())) + ")");
                continue;
            }
            problems.check(() -> e.getValue().string()).ifPresent(v -> out.put(declared.get(name) == null
                    ? name.replace('-', '_') : name, v));
        }
        return out;
    }

    private String notify(ConfigNode n) {
        String s = n.string();
        AnnounceTarget t;
        try {
            t = AnnounceTarget.parse(s);
        } catch (RuntimeException e) {
            throw n.error(e.getMessage());
        }
        if (t.connector().isPresent() && !connectorIds.isEmpty() && !connectorIds.contains(t.connectorId())) {
            throw n.error("\"" + RunbookPlanner.shown(s) + "\" names no configured connector (connectors: "
                    + String.join(", ", connectorIds.stream().sorted().toList()) + ")");
        }
        return s.strip();
    }

    private static ZoneId zone(ConfigNode n) {
        try {
            return Schedule.zone(n.string());
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
    }

    private static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    private static String oneOf(ConfigNode n, String... allowed) {
        String s = n.string().strip();
        if (List.of(allowed).contains(s)) {
            return s;
        }
        throw n.error("must be " + String.join(" or ", allowed) + ", not \"" + RunbookPlanner.shown(n.string())
                + "\"");
    }
}
