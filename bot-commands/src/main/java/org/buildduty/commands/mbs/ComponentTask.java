package org.buildduty.commands.mbs;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One component (an RPM package) of a module build, as the module's {@code tasks.rpms} map gives it: Koji task id,
 * Koji build state and NVR are null until the component is submitted to Koji.
 *
 * @param packageName the package
 * @param taskId the Koji task id, or null
 * @param state Koji's build state number (0 BUILDING, 1 COMPLETE, 2 DELETED, 3 FAILED, 4 CANCELED), or null
 * @param stateReason why, if MBS said (often empty), or null
 * @param nvr name-version-release, or null
 */
public record ComponentTask(String packageName, Long taskId, Integer state, String stateReason, String nvr) {
    /** Koji's build state names, by number. */
    private static final List<String> NAMES = List.of("BUILDING", "COMPLETE", "DELETED", "FAILED", "CANCELED");

    /** The label of a Koji build state number, as the old {@code mbs-build watch} printed it: null is "undefined". */
    public static String label(Integer state) {
        if (state == null) {
            return "undefined";
        }
        return state >= 0 && state < NAMES.size() ? NAMES.get(state) : "state " + state;
    }

    /** This component's state label. */
    public String label() {
        return label(state);
    }

    /** True once Koji has finished with it, whatever the result (not null, not BUILDING). */
    public boolean built() {
        return state != null && state != 0;
    }

    /** True if Koji's build failed. */
    public boolean failed() {
        return state != null && state == 3;
    }

    static ComponentTask from(String packageName, JsonNode n) {
        return new ComponentTask(packageName, longOrNull(n.get("task_id")), intOrNull(n.get("state")),
                textOrNull(n.get("state_reason")), textOrNull(n.get("nvr")));
    }

    static Long longOrNull(JsonNode n) {
        return n == null || !n.canConvertToLong() ? null : n.asLong();
    }

    static Integer intOrNull(JsonNode n) {
        return n == null || !n.canConvertToInt() ? null : n.asInt();
    }

    static String textOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
