package org.buildduty.commands.runbook;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.Escapes;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.param.ParamSpec;
import org.buildduty.core.param.ParamType;
import org.buildduty.core.param.ParamValidator;
import org.buildduty.core.param.ParamValue;

/** Turns a runbook and the parameters typed into a frozen plan. */
final class RunbookPlanner {
    private RunbookPlanner() {
    }

    static OperationPlan plan(Runbook rb, Map<String, String> raw, Inventory inv) {
        for (String given : raw.keySet()) {
            if (rb.param(given).isEmpty()) {
                throw new InvalidValueException("unknown parameter --" + shown(given) + " for run " + rb.name()
                        + "; " + parameterList(rb));
            }
        }
        Map<String, ParamValue> values = new LinkedHashMap<>();
        for (ParamSpec p : rb.params()) {
            String text = raw.containsKey(p.name()) ? raw.get(p.name()) : p.defaultValue();
            if (raw.containsKey(p.name()) && text.startsWith("-") && !p.allowDash()) {
                throw new InvalidValueException("bad value for --" + p.name() + ": must not start with -"
                        + " (a command could read it as an option)");
            }
            if (text == null) {
                throw new InvalidValueException("missing --" + Runbook.option(p) + " for run " + rb.name()
                        + " (usage: run " + rb.name() + " " + rb.synopsis() + ")");
            }
            ParamValue value = ParamValidator.validate(p, text, inv);
            if (value.value().contains("{{")) {
                throw new InvalidValueException("bad value for --" + p.name() + ": must not contain {{ (it marks"
                        + " values bound when a step runs)");
            }
            values.put(p.name(), value);
        }
        List<StepSpec> steps = new ArrayList<>();
        for (StepTemplate t : rb.steps()) {
            steps.add(step(t, values, inv));
        }
        Map<String, String> shown = new LinkedHashMap<>();
        values.forEach((k, v) -> shown.put(k, v.display()));
        return new OperationPlan(rb.name(), shown, steps, rb.approval(), rb.unit(), rb.onRestart(), rb.exclusion());
    }

    private static StepSpec step(StepTemplate t, Map<String, ParamValue> values, Inventory inv) {
        Map<String, Object> args = new LinkedHashMap<>();
        t.args().forEach((k, v) -> args.put(k, substitute(k, v, values)));
        List<String> hosts = hosts(t.hosts(), values, inv);
        int parallel = parallel(t.parallel(), values);
        StepSpec rollback = t.rollback() == null ? null : step(t.rollback(), values, inv);
        return new StepSpec(t.name(), t.kind(), args, hosts, parallel, t.timeout(), t.stuckAfter(),
                t.onHostFailure(), rollback, t.retries(), t.retryDelay());
    }

    /** Substitutes into one top-level argument; its key decides the escaping of a string value. */
    private static Object substitute(String key, Object value, Map<String, ParamValue> values) {
        if (value instanceof String template) {
            UnaryOperator<String> escape = Escapes.forArg(key);
            return Placeholders.substitute(template, name -> {
                ParamValue v = values.get(name);
                if (v != null && key.equals("url") && Escapes.isDotSegment(v.value())) {
                    throw new InvalidValueException("bad value for --" + name + ": " + Escapes.DOT_SEGMENT_RULE);
                }
                return lookup(name, values, escape);
            });
        }
        return plain(value, values);
    }

    private static Object plain(Object value, Map<String, ParamValue> values) {
        if (value instanceof String template) {
            List<Placeholders.Found> found = Placeholders.scan(template);
            if (found.size() == 1 && found.get(0).start() == 0 && found.get(0).end() == template.length()) {
                ParamValue v = values.get(found.get(0).name());
                if (v != null && v.type() == ParamType.INT) {
                    return Long.parseLong(v.value());   // "{{count}}" alone in a structure is a JSON number
                }
                if (v != null && v.type() == ParamType.BOOL) {
                    return Boolean.valueOf(v.value());   // and "{{flag}}" a JSON boolean
                }
            }
            return Placeholders.substitute(template, name -> lookup(name, values, UnaryOperator.identity()));
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) {
                out.add(plain(o, values));
            }
            return List.copyOf(out);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), plain(v, values)));
            return Collections.unmodifiableMap(out);
        }
        return value;
    }

    /** A parameter's value, escaped; a name bound when the step runs (host, operation, kept values) stays as is. */
    private static String lookup(String name, Map<String, ParamValue> values, UnaryOperator<String> escape) {
        ParamValue v = values.get(name);
        return v == null ? "{{" + name + "}}" : escape.apply(v.value());
    }

    private static List<String> hosts(String template, Map<String, ParamValue> values, Inventory inv) {
        if (template.isEmpty()) {
            return List.of();
        }
        List<Placeholders.Found> found = Placeholders.scan(template);
        if (!found.isEmpty()) {
            ParamValue v = values.get(found.get(0).name());
            if (v == null || v.hosts().isEmpty()) {
                throw new IllegalStateException("hosts of a parameter without hosts: " + template);
            }
            return v.hosts();
        }
        return literalHosts(template, inv);
    }

    /** The hosts a literal group name or comma list names. */
    static List<String> literalHosts(String literal, Inventory inv) {
        ParamSpec spec = ParamSpec.of("hosts", ParamType.GROUP, null);
        return ParamValidator.validate(spec, literal, inv).hosts();
    }

    private static int parallel(String template, Map<String, ParamValue> values) {
        if (template.isEmpty()) {
            return 1;
        }
        List<Placeholders.Found> found = Placeholders.scan(template);
        String name = found.isEmpty() ? null : found.get(0).name();
        long n = Long.parseLong(name == null ? template.strip() : values.get(name).value());
        if (n < 1) {
            throw new InvalidValueException("bad value for --" + name + ": parallel must be at least 1");
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    static String parameterList(Runbook rb) {
        if (rb.params().isEmpty()) {
            return "it takes no parameters";
        }
        return "parameters: "
                + rb.params().stream().map(p -> "--" + Runbook.option(p)).collect(Collectors.joining(", "));
    }

    /** A typed name for a message: printable ASCII only, cut short. */
    static String shown(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x21 && c < 0x7f ? c : '?');
        }
        return s.length() > 40 ? sb + "..." : sb.toString();
    }
}
