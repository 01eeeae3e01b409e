package org.buildduty.core.journal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OnRestart;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;

/** Turns a frozen {@link OperationPlan} into JSON for the journal and back, losing nothing. */
public final class PlanCodec {
    /** Whole numbers decode as Long, as the runbook reader makes them, so a plan survives the round trip equal. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_LONG_FOR_INTS);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private PlanCodec() {
    }

    /** The plan as one JSON object. */
    public static String encode(OperationPlan plan) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", plan.kind());
        m.put("unit", plan.unit());
        m.put("params", plan.params());
        ApprovalPolicy a = plan.approval();
        m.put("approval", Map.of("role", a.role(), "required", a.required(), "self_approve", a.selfApprove(),
                "timeout", a.timeout().toString()));
        List<Object> steps = new ArrayList<>();
        for (StepSpec s : plan.steps()) {
            steps.add(step(s));
        }
        m.put("steps", steps);
        m.put("on_restart", plan.onRestart().name());
        Exclusion ex = plan.exclusion();
        if (!ex.isNone()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("runbook", ex.runbook());
            x.put("hosts", ex.hosts());
            x.put("locks", ex.locks());
            x.put("targets", ex.targets());
            x.put("refuse", ex.refuse());
            m.put("exclusion", x);
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new JournalException("cannot encode plan of " + plan.kind(), e);
        }
    }

    /** The plan back from {@link #encode}. */
    @SuppressWarnings("unchecked")
    public static OperationPlan decode(String json) {
        try {
            Map<String, Object> m = JSON.readValue(json, MAP);
            Map<String, Object> a = (Map<String, Object>) m.get("approval");
            ApprovalPolicy policy = new ApprovalPolicy((String) a.get("role"), ((Number) a.get("required")).intValue(),
                    (Boolean) a.get("self_approve"), Duration.parse((String) a.get("timeout")));
            List<StepSpec> steps = new ArrayList<>();
            for (Object s : (List<Object>) m.get("steps")) {
                steps.add(step((Map<String, Object>) s));
            }
            Map<String, String> params = new LinkedHashMap<>();
            ((Map<String, Object>) m.get("params")).forEach((k, v) -> params.put(k, String.valueOf(v)));
            Object onRestart = m.get("on_restart");
            return new OperationPlan((String) m.get("kind"), params, steps, policy, (String) m.get("unit"),
                    onRestart == null ? OnRestart.REPORT : OnRestart.valueOf((String) onRestart),
                    exclusion((Map<String, Object>) m.get("exclusion")));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new JournalException("cannot decode a stored plan", e);
        }
    }

    /** A plan journaled before exclusions existed, or one that holds nothing, has none. */
    @SuppressWarnings("unchecked")
    private static Exclusion exclusion(Map<String, Object> x) {
        if (x == null) {
            return Exclusion.NONE;
        }
        return new Exclusion(Boolean.TRUE.equals(x.get("runbook")), Boolean.TRUE.equals(x.get("hosts")),
                (List<String>) x.getOrDefault("locks", List.of()), (List<String>) x.getOrDefault("targets", List.of()),
                Boolean.TRUE.equals(x.get("refuse")));
    }

    private static Map<String, Object> step(StepSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("kind", s.kind());
        m.put("args", s.args());
        m.put("hosts", s.hosts());
        m.put("parallel", s.parallel());
        m.put("timeout", s.timeout() == null ? null : s.timeout().toString());
        m.put("stuck_after", s.stuckAfter() == null ? null : s.stuckAfter().toString());
        m.put("on_host_failure", s.onHostFailure().name());
        m.put("rollback", s.rollback() == null ? null : step(s.rollback()));
        if (s.retries() > 0) {
            m.put("retries", s.retries());
            m.put("retry_delay", s.retryDelay().toString());
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static StepSpec step(Map<String, Object> m) {
        Object rb = m.get("rollback");
        return new StepSpec((String) m.get("name"), (String) m.get("kind"), (Map<String, Object>) m.get("args"),
                (List<String>) m.get("hosts"), ((Number) m.get("parallel")).intValue(), duration(m.get("timeout")),
                duration(m.get("stuck_after")), OnHostFailure.valueOf((String) m.get("on_host_failure")),
                rb == null ? null : step((Map<String, Object>) rb),
                m.get("retries") instanceof Number n ? n.intValue() : 0, duration(m.get("retry_delay")));
    }

    private static Duration duration(Object o) {
        return o == null ? null : Duration.parse((String) o);
    }
}
