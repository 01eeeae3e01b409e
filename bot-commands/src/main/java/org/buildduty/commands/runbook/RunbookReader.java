package org.buildduty.commands.runbook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigProblems;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnRestart;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.param.ParamSpec;
import org.buildduty.core.param.ParamType;
import org.buildduty.core.param.ParamValidator;

/** Reads one runbook file, recording every problem instead of stopping at the first. */
final class RunbookReader {
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9._-]{1,40}");
    private static final Pattern UNIT = Pattern.compile("[a-z][a-z0-9 -]{0,19}");
    private static final Set<String> TOP =
            Set.of("name", "alias", "description", "role", "approval", "params", "steps", "unit",
                    "on_restart", "rooms", "exclusive", "locks", "on_conflict", "schedule");
    /** A named lock, as {@code locks:} writes it. */
    private static final Pattern LOCK = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,39}");
    /** A connector id as the configuration writes it. */
    private static final Pattern CONNECTOR_ID = Pattern.compile("[a-z][a-z0-9_-]*");
    private static final Set<String> APPROVAL = Set.of("role", "required", "self_approve", "timeout");
    private static final Set<String> PARAM =
            Set.of("type", "default", "choices", "description", "min", "max", "roots", "allow_dash");
    private static final Set<String> TYPES =
            Set.of("int", "revision", "host", "group", "path", "enum", "duration", "string", "bool");
    /** A group name as the inventory writes it. */
    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]*");

    private final ConfigNode root;
    private final ConfigProblems problems;
    private final Inventory inventory;
    private final StepReader stepReader;
    private final Map<String, ParamSpec> params = new LinkedHashMap<>();
    private final Set<String> connectorIds;

    /** @param connectorIds the configured connector ids a {@code rooms} entry may name; empty when not known */
    RunbookReader(ConfigNode root, ConfigProblems problems, Set<String> kinds, Map<String, StepExecutor> validators,
            Inventory inventory, Set<String> connectorIds) {
        this(root, problems, kinds, Map.of(), validators, inventory, connectorIds);
    }

    /** @param unavailable step kinds the bot cannot run as configured → what they need */
    RunbookReader(ConfigNode root, ConfigProblems problems, Set<String> kinds, Map<String, String> unavailable,
            Map<String, StepExecutor> validators, Inventory inventory, Set<String> connectorIds) {
        this.root = root;
        this.connectorIds = Set.copyOf(connectorIds);
        this.problems = problems;
        this.inventory = inventory;
        this.stepReader = new StepReader(problems, kinds, validators, inventory, params)
                .withUnavailable(unavailable).withConnectors(this.connectorIds);
    }

    /** The runbook, or empty when the file has problems (all of them recorded). */
    Optional<Runbook> read() {
        if (!root.isMap()) {
            problems.add(root, "a runbook file must be a mapping (name, description, params, steps, ...)");
            return Optional.empty();
        }
        int before = problems.errors().size();
        root.checkKeys(problems, TOP);
        String name = problems.check(() -> name(root.require("name"))).orElse("");
        String alias = optional("alias").flatMap(n -> problems.check(() -> name(n))).orElse("");
        String description = optional("description").flatMap(n -> problems.check(n::string)).orElse("");
        String role = role();
        String unit = optional("unit").flatMap(n -> problems.check(() -> matching(n, UNIT))).orElse("");
        optional("params").ifPresent(this::params);
        ApprovalPolicy approval = optional("approval").flatMap(n -> approval(n, role)).orElse(ApprovalPolicy.NONE);
        List<StepTemplate> steps = problems.check(() -> root.require("steps")).map(this::steps).orElse(List.of());
        OnRestart onRestart = optional("on_restart").flatMap(n -> problems.check(() -> onRestart(n)))
                .orElse(OnRestart.REPORT);
        List<String> rooms = optional("rooms").map(this::rooms).orElse(List.of());
        Exclusion exclusion = exclusion();
        ScheduleReader schedules = new ScheduleReader(problems, connectorIds);
        Schedule schedule = optional("schedule").flatMap(n -> schedules.read(n, params)).orElse(null);
        if (problems.errors().size() > before) {
            return Optional.empty();
        }
        if (unit.isEmpty()) {
            unit = steps.stream().anyMatch(StepTemplate::fansOut) ? "hosts" : "steps";
        }
        Runbook rb = new Runbook(name, alias, description, role, approval, new ArrayList<>(params.values()),
                steps, unit, onRestart, rooms, exclusion, root.file(), schedule);
        optional("schedule").ifPresent(n -> schedules.checkPlans(rb, n.get("params").orElse(n), inventory));
        return problems.errors().size() > before ? Optional.empty() : Optional.of(rb);
    }

    /**
     * The role that may start the runbook, or empty for {@code role: anyone}. A runbook must say which: without
     * {@code role:} it is an error, so that no runbook is open to every identity by omission.
     */
    private String role() {
        Optional<ConfigNode> n = optional("role");
        if (n.isEmpty()) {
            problems.add(root.file() + ":" + root.line() + ": role: missing: say who may run it, role: <name> (a role"
                    + " of the roles section) or role: anyone");
            return "";
        }
        String role = problems.check(() -> matching(n.get(), ROLE)).orElse("");
        return role.equals(Runbook.ANYONE) ? "" : role;
    }

    /**
     * The rooms it may start from: a non-empty list of {@code <connector-id>:<room>}, the room as the connector
     * names it (an IRC channel {@code #releng}, a Matrix room id {@code !abc:example.org}, a Zulip stream, the
     * console's {@code console}). The connector id must be a configured one when the loader knows them.
     */
    private List<String> rooms(ConfigNode n) {
        List<String> entries = problems.check(n::strings).orElse(null);
        if (entries == null) {
            return List.of();
        }
        if (entries.isEmpty()) {
            problems.add(n, "needs at least one room (<connector-id>:<room>), or leave rooms out for anywhere");
        }
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            int colon = e.indexOf(':');
            String connector = colon < 0 ? "" : e.substring(0, colon);
            String room = colon < 0 ? "" : e.substring(colon + 1);
            if (!CONNECTOR_ID.matcher(connector).matches() || room.isEmpty() || !room.strip().equals(room)
                    || room.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                problems.add(n, "\"" + RunbookPlanner.shown(e) + "\" is not <connector-id>:<room> (e.g."
                        + " libera:#releng, zulip:engineering, console:console)");
            } else if (!connectorIds.isEmpty() && !connectorIds.contains(connector)) {
                problems.add(n, "\"" + RunbookPlanner.shown(e) + "\" names no configured connector (connectors: "
                        + String.join(", ", connectorIds.stream().sorted().toList()) + ")");
            } else if (!out.contains(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * {@code exclusive: runbook | hosts | none} (default runbook), {@code locks: [name, ...]} and
     * {@code on_conflict: queue | refuse} (default queue).
     */
    private Exclusion exclusion() {
        String mode = optional("exclusive").flatMap(n -> problems.check(() -> oneOf(n, "runbook", "hosts", "none")))
                .orElse("runbook");
        List<String> locks = optional("locks").map(this::locks).orElse(List.of());
        String onConflict = optional("on_conflict").flatMap(n -> problems.check(() -> oneOf(n, "queue", "refuse")))
                .orElse("queue");
        return new Exclusion(!mode.equals("none"), mode.equals("hosts"), locks, List.of(), onConflict.equals("refuse"));
    }

    /** Named locks: a non-empty list of names shared across runbooks. */
    private List<String> locks(ConfigNode n) {
        List<String> names = problems.check(n::strings).orElse(null);
        if (names == null) {
            return List.of();
        }
        if (names.isEmpty()) {
            problems.add(n, "needs at least one lock name, or leave locks out");
        }
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (!LOCK.matcher(name).matches()) {
                problems.add(n, "\"" + RunbookPlanner.shown(name) + "\" is not a lock name (letters, digits, . _ -;"
                        + " at most 40 characters)");
            } else if (!out.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    private static String oneOf(ConfigNode n, String... allowed) {
        String s = n.string().strip();
        for (String a : allowed) {
            if (a.equals(s)) {
                return s;
            }
        }
        throw n.error("must be " + String.join(", ", List.of(allowed).subList(0, allowed.length - 1)) + " or "
                + allowed[allowed.length - 1] + ", not \"" + RunbookPlanner.shown(n.string()) + "\"");
    }

    private Optional<ConfigNode> optional(String key) {
        return root.get(key);
    }

    private static String name(ConfigNode n) {
        String s = n.string();
        if (!NAME.matcher(s).matches()) {
            throw n.error("must match [a-z][a-z0-9-]* (at most 40 characters), not \"" + s + "\"");
        }
        return s;
    }

    private static OnRestart onRestart(ConfigNode n) {
        String s = n.string().strip();
        if (s.equals("report") || s.equals("rollback")) {
            return OnRestart.valueOf(s.toUpperCase(Locale.ROOT));
        }
        throw n.error("must be report or rollback, not \"" + n.string() + "\"");
    }

    private static String matching(ConfigNode n, Pattern p) {
        String s = n.string();
        if (!p.matcher(s).matches()) {
            throw n.error("must match " + p.pattern() + ", not \"" + s + "\"");
        }
        return s;
    }

    private void params(ConfigNode node) {
        Map<String, ConfigNode> entries = problems.check(node::asMap).orElse(Map.of());
        Map<String, String> options = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : entries.entrySet()) {
            String pname = e.getKey();
            ConfigNode p = e.getValue();
            stepReader.declare(pname);
            String other = options.putIfAbsent(pname.replace('_', '-'), pname);
            if (other != null) {
                problems.add(p, "\"" + pname + "\" and \"" + other + "\" are the same option --"
                        + pname.replace('_', '-'));
                continue;
            }
            if (!Placeholders.NAME.matcher(pname).matches() || pname.length() > 40) {
                problems.add(p, "a parameter name must match [a-z][a-z0-9_-]* (at most 40 characters)");
                continue;
            }
            if (pname.equals(Placeholders.HOST) || pname.equals(Placeholders.OPERATION)) {
                problems.add(p, "\"" + pname + "\" is reserved: {{" + pname + "}} is filled in when a step runs");
                continue;
            }
            problems.run(() -> param(pname, p).ifPresent(spec -> params.put(pname, spec)));
        }
    }

    private Optional<ParamSpec> param(String pname, ConfigNode p) {
        if (!p.isMap()) {
            throw p.error("expected a mapping: type, default, description, choices, min, max, roots, allow_dash");
        }
        p.checkKeys(problems, PARAM);
        ConfigNode typeNode = p.require("type");
        String typeText = typeNode.string().strip().toLowerCase(Locale.ROOT);
        if (!TYPES.contains(typeText)) {
            throw typeNode.error("unknown type \"" + typeNode.string() + "\" (types: "
                    + TYPES.stream().sorted().collect(Collectors.joining(", ")) + ")");
        }
        ParamType type = ParamType.valueOf(typeText.toUpperCase(Locale.ROOT));
        List<String> choices = List.of();
        Optional<ConfigNode> choicesNode = p.get("choices");
        if (choicesNode.isPresent()) {
            if (type != ParamType.ENUM) {
                problems.add(choicesNode.get(), "choices are only for type enum");
            } else {
                choices = choices(choicesNode.get());
            }
        } else if (type == ParamType.ENUM) {
            problems.add(p, "type enum needs choices");
        }
        Long min = bound(p, "min", type);
        Long max = bound(p, "max", type);
        if (min != null && max != null && min > max) {
            problems.add(p.require("max"), "max is smaller than min");
        }
        List<String> roots = p.get("roots").map(r -> roots(r, type)).orElse(List.of());
        String description = p.get("description").map(ConfigNode::string).orElse("");
        String defaultValue = p.get("default").map(ConfigNode::string).orElse(type == ParamType.BOOL ? "false" : null);
        boolean allowDash = p.get("allow_dash").flatMap(n -> problems.check(n::bool)).orElse(false);
        ParamSpec spec = new ParamSpec(pname, type, defaultValue, choices, description, min, max, roots, allowDash);
        if (type == ParamType.GROUP && defaultValue != null && absentGroup(defaultValue)) {
            return Optional.of(spec);   // a group this inventory lacks: --name is needed until it has one
        }
        if (defaultValue != null) {
            try {
                ParamValidator.validate(spec, defaultValue, inventory);
            } catch (InvalidValueException e) {
                problems.add(p.require("default"), e.getMessage());
            }
        }
        return Optional.of(spec);
    }

    /**
     * True for one group name that names neither a group nor a host of the inventory: such a default loads (the
     * shipped reconfig runbook defaults to {@code masters}, which the shipped inventory lacks), and running without
     * the option then fails with the inventory's groups and hosts.
     */
    private boolean absentGroup(String value) {
        return GROUP_NAME.matcher(value).matches() && inventory.group(value).isEmpty()
                && !inventory.hosts().contains(value);
    }

    private List<String> choices(ConfigNode n) {
        List<String> out = n.strings();
        if (out.isEmpty()) {
            problems.add(n, "needs at least one choice");
        }
        ParamSpec asText = ParamSpec.of("choice", ParamType.STRING, null);
        for (String c : out) {
            try {
                if (c.isEmpty()) {
                    throw new InvalidValueException("a choice must not be empty");
                }
                ParamValidator.validate(asText, c, Inventory.EMPTY);
            } catch (InvalidValueException e) {
                problems.add(n, e.getMessage());
            }
        }
        return out;
    }

    private Long bound(ConfigNode p, String key, ParamType type) {
        Optional<ConfigNode> n = p.get(key);
        if (n.isEmpty()) {
            return null;
        }
        if (type != ParamType.INT) {
            problems.add(n.get(), key + " is only for type int");
            return null;
        }
        String s = n.get().string().strip();
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            problems.add(n.get(), "not a whole number: \"" + s + "\"");
            return null;
        }
    }

    private List<String> roots(ConfigNode n, ParamType type) {
        if (type != ParamType.PATH) {
            problems.add(n, "roots are only for type path");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String r : n.strings()) {
            try {
                out.add(ParamValidator.path("roots", r, List.of("/")));
            } catch (InvalidValueException e) {
                problems.add(n, e.getMessage());
            }
        }
        return out;
    }

    private Optional<ApprovalPolicy> approval(ConfigNode n, String runbookRole) {
        return problems.check(() -> {
            if (!n.isMap()) {
                throw n.error("expected a mapping: role, required, self_approve, timeout");
            }
            n.checkKeys(problems, APPROVAL);
            String role = n.get("role").map(r -> matching(r, ROLE)).orElse(runbookRole);
            int required = n.get("required").map(ConfigNode::intValue).orElse(1);
            if (required < 0 || required > 10) {
                throw n.require("required").error("must be 0 to 10");
            }
            boolean self = n.get("self_approve").map(ConfigNode::bool).orElse(false);
            Duration timeout = n.get("timeout").map(StepReader::duration).orElse(ApprovalPolicy.DEFAULT_TIMEOUT);
            if (required > 0 && role.isEmpty()) {
                throw n.error("needs a role (approval.role, or the runbook's role)");
            }
            return new ApprovalPolicy(role, required, self, timeout);
        });
    }

    private List<StepTemplate> steps(ConfigNode n) {
        List<ConfigNode> items = problems.check(n::asList).orElse(List.of());
        if (n.isList() && items.isEmpty()) {
            problems.add(n, "needs at least one step");
        }
        List<StepTemplate> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ConfigNode s : items) {
            stepReader.read(s).ifPresent(t -> {
                if (!names.add(t.name())) {
                    problems.add(s, "another step is also named \"" + t.name() + "\"");
                }
                out.add(t);
            });
        }
        return out;
    }
}
