package org.buildduty.commands.runbook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.chat.AnnounceTarget;
import org.buildduty.core.config.ConfigException;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigProblems;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.Escapes;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.param.ParamSpec;
import org.buildduty.core.param.ParamType;
import org.buildduty.core.parse.CloseMatch;
import org.buildduty.core.time.Durations;

/**
 * Reads the steps of a runbook: {@code - name: X} plus exactly one kind key whose value is a mapping of arguments,
 * and {@code timeout}, {@code stuck_after}, {@code on_host_failure}, {@code retries}, {@code rollback}; or a
 * {@code confirm} step,
 * whose mapping says who must confirm before the operation goes on.
 */
final class StepReader {
    /** Kinds that fan out over hosts; their kind map may hold {@code hosts} and {@code parallel}. */
    static final Set<String> FAN_OUT = Set.of("local", "ssh");
    private static final Set<String> STEP = Set.of("name", "timeout", "stuck_after", "on_host_failure", "retries",
            "rollback");
    private static final Set<String> RETRIES_KEYS = Set.of("count", "delay");
    private static final Set<String> ROLLBACK = Set.of("name", "timeout", "stuck_after");
    private static final Set<String> CONFIRM_KEYS = Set.of("message", "role", "required", "self_approve", "timeout");
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9._-]{1,40}");

    private final ConfigProblems problems;
    private final Set<String> kinds;
    private final Map<String, StepExecutor> validators;
    private final Inventory inventory;
    private final Map<String, ParamSpec> params;
    private final Set<String> declared = new LinkedHashSet<>();
    /** Names kept by the steps read so far ({@code keep:}), usable as placeholders in the steps after them. */
    private final Set<String> kept = new LinkedHashSet<>();
    /** Step kinds this bot cannot run as configured → what they need ({@code needs services.mbs ...}). */
    private Map<String, String> unavailable = Map.of();
    /** The configured connector ids an announce target may name; empty when not known. */
    private Set<String> connectorIds = Set.of();

    StepReader(ConfigProblems problems, Set<String> kinds, Map<String, StepExecutor> validators, Inventory inventory,
            Map<String, ParamSpec> params) {
        this.problems = problems;
        this.kinds = kinds;
        this.validators = validators;
        this.inventory = inventory;
        this.params = params;
    }

    StepReader withUnavailable(Map<String, String> kindsNeeding) {
        this.unavailable = Map.copyOf(kindsNeeding);
        return this;
    }

    StepReader withConnectors(Set<String> ids) {
        this.connectorIds = Set.copyOf(ids);
        return this;
    }

    /** Notes a parameter name as declared, even if its declaration has problems (so uses are not errors too). */
    void declare(String name) {
        declared.add(name);
    }

    Optional<StepTemplate> read(ConfigNode s) {
        return read(s, null);
    }

    static Duration duration(ConfigNode n) {
        try {
            return Durations.parse(n.string());
        } catch (InvalidValueException e) {
            throw n.error(e.getMessage());
        }
    }

    /** One step, or a rollback when {@code parent} is given. */
    private Optional<StepTemplate> read(ConfigNode s, StepTemplate parent) {
        if (!s.isMap()) {
            problems.add(s, "a step is a mapping: name, one kind (" + kindList() + "), timeout, stuck_after, ...");
            return Optional.empty();
        }
        int before = problems.errors().size();
        Set<String> fixed = parent == null ? STEP : ROLLBACK;
        String name = parent == null
                ? problems.check(() -> stepName(s.require("name"))).orElse("?")
                : s.get("name").flatMap(n -> problems.check(() -> stepName(n))).orElse("undo " + parent.name());
        String kind = kind(s, fixed).orElse(null);
        if (StepSpec.CONFIRM.equals(kind)) {
            return confirm(s, name, parent, before);
        }
        Duration timeout = s.get("timeout").flatMap(n -> problems.check(() -> duration(n))).orElse(null);
        Duration stuck = s.get("stuck_after").flatMap(n -> problems.check(() -> duration(n))).orElse(null);
        OnHostFailure onFailure = s.get("on_host_failure").flatMap(n -> problems.check(() -> onHostFailure(n)))
                .orElse(OnHostFailure.STOP);
        Optional<ConfigNode> retriesNode = parent == null ? s.get("retries") : Optional.empty();
        int retries = retriesNode.flatMap(n -> problems.check(() -> retryCount(n))).orElse(0);
        Duration retryDelay = retriesNode.filter(ConfigNode::isMap).flatMap(n -> n.get("delay"))
                .flatMap(n -> problems.check(() -> duration(n))).orElse(Duration.ZERO);
        if (kind == null) {
            return Optional.empty();
        }
        ConfigNode kindNode = s.asMap().get(kind);
        if (!kindNode.isNull() && !kindNode.isMap()) {
            problems.add(kindNode, "the value of " + kind + " must be a mapping of arguments");
            return Optional.empty();
        }
        String hosts = "";
        String parallel = "";
        if (FAN_OUT.contains(kind)) {
            hosts = kindNode.get("hosts").flatMap(n -> problems.check(() -> hostsTemplate(n))).orElse("");
            parallel = kindNode.get("parallel").flatMap(n -> problems.check(() -> parallelTemplate(n))).orElse("");
            if (hosts.isEmpty() && parent != null && parent.fansOut()) {
                hosts = parent.hosts();
                parallel = parallel.isEmpty() ? parent.parallel() : parallel;
            }
            if (hosts.isEmpty() && !parallel.isEmpty()) {
                problems.add(kindNode.get("parallel").orElse(kindNode), "parallel needs hosts");
            }
            if (kind.equals("ssh") && hosts.isEmpty() && !kindNode.has("hosts")) {
                problems.add(kindNode, "an ssh step needs hosts");
            }
            if (!kindNode.get("command").map(ConfigNode::isScalar).orElse(false)) {
                problems.add(kindNode, "a " + kind + " step needs a command (one string)");
            }
        }
        Map<String, Object> args = args(kindNode, kind, !hosts.isEmpty());
        StepTemplate rollback = null;
        if (parent == null && s.get("rollback").isPresent()) {
            StepTemplate self = new StepTemplate(name, kind, Map.of(), hosts, parallel, null, null, null, null);
            rollback = read(s.get("rollback").get(), self).orElse(null);
        }
        if (problems.errors().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new StepTemplate(name, kind, args, hosts, parallel, timeout, stuck, onFailure, rollback,
                retries, retryDelay));
    }

    /** {@code retries: {count: N, delay: 30s}}: N from 1 to {@value StepSpec#MAX_RETRIES}; the delay is optional. */
    private int retryCount(ConfigNode n) {
        if (!n.isMap()) {
            throw n.error("expected a mapping: count (1 to " + StepSpec.MAX_RETRIES + "), delay (e.g. 30s)");
        }
        n.checkKeys(problems, RETRIES_KEYS);
        ConfigNode count = n.require("count");
        int v = count.intValue();
        if (v < 1 || v > StepSpec.MAX_RETRIES) {
            throw count.error("must be 1 to " + StepSpec.MAX_RETRIES);
        }
        return v;
    }

    /**
     * A {@code confirm} step: {@code message} (required), {@code role} (required), {@code required} (default 1),
     * {@code self_approve} (default false), {@code timeout} (default the start approval's). It runs nothing, so it has
     * no hosts, command, rollback, step timeout or on_host_failure, and it cannot be a rollback.
     */
    private Optional<StepTemplate> confirm(ConfigNode s, String name, StepTemplate parent, int before) {
        ConfigNode n = s.asMap().get(StepSpec.CONFIRM);
        if (parent != null) {
            problems.add(n, "a rollback cannot be a confirm step (it runs while the operation fails)");
            return Optional.empty();
        }
        for (String key : List.of("timeout", "stuck_after", "on_host_failure", "retries", "rollback")) {
            s.get(key).ifPresent(k -> problems.add(k, "a confirm step runs nothing, so it has no " + key
                    + (key.equals("timeout") ? " (its expiry is confirm.timeout)" : "")));
        }
        if (!n.isMap()) {
            problems.add(n, "expected a mapping: message, role, required, self_approve, timeout");
            return Optional.empty();
        }
        n.checkKeys(problems, CONFIRM_KEYS);
        String message = problems.check(() -> confirmMessage(n.require("message"))).orElse("");
        String role = problems.check(() -> confirmRole(n.require("role"))).orElse("");
        int required = n.get("required").flatMap(r -> problems.check(() -> {
            int v = r.intValue();
            if (v < 1 || v > 10) {
                throw r.error("must be 1 to 10");
            }
            return v;
        })).orElse(1);
        boolean self = n.get("self_approve").flatMap(b -> problems.check(b::bool)).orElse(false);
        Duration expiry = n.get("timeout").flatMap(t -> problems.check(() -> duration(t)))
                .orElse(ApprovalPolicy.DEFAULT_TIMEOUT);
        if (problems.errors().size() > before) {
            return Optional.empty();
        }
        Map<String, Object> args = StepSpec.confirm(name, message, new ApprovalPolicy(role, required, self, expiry))
                .args();
        return Optional.of(new StepTemplate(name, StepSpec.CONFIRM, args, "", "", null, null, null, null));
    }

    private String confirmMessage(ConfigNode n) {
        if (!n.isScalar() || n.string().isBlank()) {
            throw n.error("a confirm step needs a message (one line of text saying what to check)");
        }
        String text = n.string().strip();
        if (text.length() > 300 || text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw n.error("must be one line of at most 300 printable characters");
        }
        checkPlaceholders(n, text, "message", false);
        return text;
    }

    private static String confirmRole(ConfigNode n) {
        String s = n.isScalar() ? n.string() : "";
        if (!ROLE.matcher(s).matches() || s.equals(Runbook.ANYONE)) {
            throw n.error("must be a role name (" + ROLE.pattern() + "), not \"" + s + "\"");
        }
        return s;
    }

    private static String stepName(ConfigNode n) {
        String s = n.string();
        if (s.isBlank() || s.length() > 80 || !s.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw n.error("a step name is 1 to 80 printable characters");
        }
        return s;
    }

    private Optional<String> kind(ConfigNode s, Set<String> fixed) {
        List<String> found = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String key : s.asMap().keySet()) {
            if (kinds.contains(key)) {
                found.add(key);
            } else if (unavailable.containsKey(key)) {
                problems.add(s.asMap().get(key), unavailable.get(key));
                return Optional.empty();
            } else if (!fixed.contains(key)) {
                unknown.add(key);
            }
        }
        if (found.isEmpty() && unknown.size() == 1) {
            ConfigNode n = s.asMap().get(unknown.get(0));
            problems.add(n, "unknown step kind" + didYouMean(unknown.get(0), kinds) + " (kinds: " + kindList() + ")");
            return Optional.empty();
        }
        for (String key : unknown) {
            ConfigNode n = s.asMap().get(key);
            Set<String> known = new TreeSet<>(fixed);
            known.addAll(kinds);
            problems.add(n, "unknown key" + didYouMean(key, known) + " (known: " + String.join(", ",
                    new TreeSet<>(fixed)) + ", or a step kind: " + kindList() + ")");
        }
        if (found.isEmpty()) {
            problems.add(s, "a step needs one kind: " + kindList());
            return Optional.empty();
        }
        if (found.size() > 1) {
            problems.add(s, "a step has exactly one kind, not " + String.join(" and ", found));
            return Optional.empty();
        }
        return Optional.of(found.get(0));
    }

    private static String didYouMean(String typed, Set<String> known) {
        return CloseMatch.closest(typed, known).map(m -> " - did you mean \"" + m + "\"?").orElse("");
    }

    private String kindList() {
        return String.join(", ", new TreeSet<>(kinds));
    }

    private static OnHostFailure onHostFailure(ConfigNode n) {
        String s = n.string().strip().toLowerCase(Locale.ROOT);
        if (s.equals("stop") || s.equals("continue")) {
            return OnHostFailure.valueOf(s.toUpperCase(Locale.ROOT));
        }
        throw n.error("must be stop or continue, not \"" + n.string() + "\"");
    }

    private String hostsTemplate(ConfigNode n) {
        String text = n.isList() ? String.join(",", n.strings()) : n.string().strip();
        List<Placeholders.Found> found = scan(n, text);
        if (!found.isEmpty()) {
            Placeholders.Found f = found.get(0);
            if (found.size() > 1 || f.start() != 0 || f.end() != text.length()) {
                throw n.error("must be one {{param}} of type group or host, or a literal group or host list");
            }
            if (!declared.contains(f.name())) {
                throw n.error("unknown parameter {{" + f.name() + "}} (" + declaredList() + ")");
            }
            ParamSpec p = params.get(f.name());
            if (p != null && p.type() != ParamType.GROUP && p.type() != ParamType.HOST) {
                throw n.error("{{" + f.name() + "}} is of type " + p.type().name().toLowerCase(Locale.ROOT)
                        + "; hosts needs a group or host parameter");
            }
            return text;
        }
        try {
            RunbookPlanner.literalHosts(text, inventory);
        } catch (InvalidValueException e) {
            throw n.error(e.getMessage().replace("bad value for --hosts: ", ""));
        }
        return text;
    }

    private String parallelTemplate(ConfigNode n) {
        String text = n.string().strip();
        List<Placeholders.Found> found = scan(n, text);
        if (found.isEmpty()) {
            if (!text.matches("[0-9]{1,4}") || Integer.parseInt(text) < 1) {
                throw n.error("must be a number from 1 to 9999, or an int {{param}}, not \"" + text + "\"");
            }
            return text;
        }
        Placeholders.Found f = found.get(0);
        if (found.size() > 1 || f.start() != 0 || f.end() != text.length()) {
            throw n.error("must be a number, or one {{param}} of type int");
        }
        ParamSpec p = params.get(f.name());
        if (p == null && !declared.contains(f.name())) {
            throw n.error("unknown parameter {{" + f.name() + "}} (" + declaredList() + ")");
        }
        if (p != null && p.type() != ParamType.INT) {
            throw n.error("{{" + f.name() + "}} must be of type int");
        }
        return text;
    }

    private static List<Placeholders.Found> scan(ConfigNode n, String text) {
        try {
            return Placeholders.scan(text);
        } catch (Placeholders.BadPlaceholder e) {
            throw n.errorAt(e.at(), e.getMessage());
        }
    }

    private String declaredList() {
        String params = declared.isEmpty() ? "no parameters are declared" : "declared: " + String.join(", ", declared);
        return kept.isEmpty() ? params : params + "; kept by earlier steps: " + String.join(", ", kept);
    }

    /** The arguments besides hosts and parallel, with every placeholder checked. */
    private Map<String, Object> args(ConfigNode kindNode, String kind, boolean fansOut) {
        Map<String, Object> args = new LinkedHashMap<>();
        int before = problems.errors().size();
        for (Map.Entry<String, ConfigNode> e : kindNode.asMap().entrySet()) {
            String key = e.getKey();
            if (key.equals("hosts") || key.equals("parallel")) {
                if (!FAN_OUT.contains(kind)) {
                    problems.add(e.getValue(), key + " is only for " + String.join(" and ", new TreeSet<>(FAN_OUT))
                            + " steps");
                }
                continue;
            }
            problems.check(() -> value(e.getValue(), key, fansOut)).ifPresent(v -> args.put(key, v));
        }
        if (kind.equals("wait_until") && args.get("host") instanceof String host) {
            if (!host.contains("{{") && !inventory.hosts().contains(host)) {
                problems.add(kindNode.asMap().get("host"), "no host \"" + host + "\" in the inventory");
            }
        }
        StepExecutor validator = validators.get(kind);
        if (kind.equals("announce") && args.get("to") instanceof String to && !connectorIds.isEmpty()) {
            announceConnector(kindNode.asMap().get("to"), to);
        }
        if (validator != null && problems.errors().size() == before) {
            validator.validateArgs(Collections.unmodifiableMap(args)).forEach((key, msg) -> {
                ConfigNode at = kindNode.asMap().get(key);
                problems.add(at != null ? at.where() + ": " + msg
                        : kindNode.file() + ":" + kindNode.line() + ": " + kindNode.path() + "." + key + ": " + msg);
            });
        }
        if (validator != null && problems.errors().size() == before) {
            for (String name : validator.keptNames(Collections.unmodifiableMap(args))) {
                ConfigNode at = kindNode.get("keep").orElse(kindNode);
                if (declared.contains(name) || name.equals(Placeholders.HOST)
                        || name.equals(Placeholders.OPERATION)) {
                    problems.add(at, "keeps \"" + name + "\", which is already a parameter name");
                } else if (!Placeholders.NAME.matcher(name).matches()) {
                    problems.add(at, "keeps \"" + name + "\", which is not a placeholder name ([a-z][a-z0-9_-]*)");
                } else {
                    kept.add(name);
                }
            }
        }
        return args;
    }

    /** A literal announce target that names a connector must name a configured one. */
    private void announceConnector(ConfigNode at, String to) {
        if (to.contains("{{")) {
            return;
        }
        try {
            AnnounceTarget target = AnnounceTarget.parse(to);
            target.connector().filter(c -> !connectorIds.contains(c)).ifPresent(c -> problems.add(at, "\""
                    + to.strip() + "\" names no configured connector \"" + c + "\" (connectors: "
                    + String.join(", ", new TreeSet<>(connectorIds)) + ")"));
        } catch (UserFacingException e) {
            // the executor's validation reports the form
        }
    }

    private Object value(ConfigNode n, String topKey, boolean fansOut) {
        return value(n, topKey, fansOut, false);
    }

    private Object value(ConfigNode n, String topKey, boolean fansOut, boolean nested) {
        if (n.isNull()) {
            throw n.error("empty value (write \"\" for an empty string)");
        }
        if (n.isScalar()) {
            String text = n.string();
            if (nested && !(n.typedValue() instanceof String)) {
                return n.typedValue();   // a plain number or boolean in a structure (a JSON body) keeps its type
            }
            checkPlaceholders(n, text, topKey, fansOut);
            if (topKey.equals("command") && n.path().endsWith(".command")) {
                Placeholders.Problem problem = Placeholders.commandProblem(text);
                if (problem != null) {
                    throw n.errorAt(problem.at(), problem.message());
                }
            }
            if (topKey.equals("body") && !nested) {
                String problem = Placeholders.checkJsonBody(text, this::bareInJson);
                if (problem != null) {
                    throw n.error(problem);
                }
            }
            return text;
        }
        if (n.isList()) {
            List<Object> out = new ArrayList<>();
            for (ConfigNode item : n.asList()) {
                out.add(value(item, topKey, fansOut, true));
            }
            return List.copyOf(out);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (Map.Entry<String, ConfigNode> e : n.asMap().entrySet()) {
            try {
                out.put(e.getKey(), value(e.getValue(), topKey, fansOut, true));
            } catch (ConfigException ex) {
                errors.addAll(ex.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * True for a name whose value may stand outside a JSON string: an int or bool parameter, the operation number,
     * or a parameter whose declaration already has an error.
     */
    private boolean bareInJson(String name) {
        ParamSpec p = params.get(name);
        if (p != null) {
            return p.type() == ParamType.INT || p.type() == ParamType.BOOL;
        }
        return name.equals(Placeholders.OPERATION) || declared.contains(name);
    }

    private void checkPlaceholders(ConfigNode n, String text, String topKey, boolean fansOut) {
        for (Placeholders.Found f : scan(n, text)) {
            if (f.name().equals(Placeholders.HOST)) {
                if (!fansOut || !topKey.equals("command")) {
                    throw n.errorAt(f.start(), "{{host}} is only allowed in the command of a step with hosts");
                }
            } else if (!f.name().equals(Placeholders.OPERATION) && !declared.contains(f.name())
                    && !kept.contains(f.name())) {
                throw n.errorAt(f.start(), "unknown parameter {{" + f.name() + "}} (" + declaredList() + ")");
            }
            ParamSpec p = params.get(f.name());
            if (topKey.equals("url") && p != null) {
                List<String> fixed = new ArrayList<>(p.choices());
                if (p.defaultValue() != null) {
                    fixed.add(0, p.defaultValue());
                }
                for (String value : fixed) {
                    if (Escapes.isDotSegment(value)) {
                        throw n.error("{{" + f.name() + "}} may be \"" + value + "\", which "
                                + Escapes.DOT_SEGMENT_RULE);
                    }
                }
            }
        }
    }
}
