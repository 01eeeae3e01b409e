package org.buildduty.commands.mbs;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A module build as MBS serialises it (the default or verbose form; older servers leave fields out, so every field
 * but the id, name and state may be null). Components are keyed by package name, sorted.
 *
 * @param id the module build id
 * @param name module name
 * @param stream module stream
 * @param version module version (a string of digits)
 * @param state the state number (0 init, 1 wait, 2 build, 3 done, 4 failed or cancelled, 5 ready, 6 garbage)
 * @param stateName the state name, from MBS or from the number when MBS left it out
 * @param owner who submitted it, or null
 * @param stateReason why it is in its state (e.g. "Canceled by alice."), or null
 * @param kojiTag its Koji tag, or null
 * @param submitted when it was submitted, or null
 * @param completed when it ended, or null
 * @param components its components by package name
 */
public record ModuleBuild(long id, String name, String stream, String version, int state, String stateName,
        String owner, String stateReason, String kojiTag, Instant submitted, Instant completed,
        Map<String, ComponentTask> components) {
    /** Module build state names, by number. */
    private static final List<String> STATES = List.of("init", "wait", "build", "done", "failed", "ready", "garbage");

    public ModuleBuild {
        components = Collections.unmodifiableMap(new TreeMap<>(components));
    }

    /** The name of a module build state number. */
    public static String stateName(int state) {
        return state >= 0 && state < STATES.size() ? STATES.get(state) : "state " + state;
    }

    /** {@code name-stream}. */
    public String nameStream() {
        return name + "-" + stream;
    }

    /** True when the build will not change any more (done, failed, ready or garbage). */
    public boolean terminal() {
        return state >= 3;
    }

    /** True while MBS accepts a cancel (init, wait or build). */
    public boolean cancellable() {
        return state >= 0 && state <= 2;
    }

    /** Components Koji has finished with (neither undefined nor BUILDING), as {@code mbs-build overview} counted. */
    public int builtCount() {
        return (int) components.values().stream().filter(ComponentTask::built).count();
    }

    /**
     * How many components are in each state, by label, in Koji's order (BUILDING, COMPLETE, DELETED, FAILED,
     * CANCELED) and "undefined" (not yet submitted) last; states with no component are left out.
     */
    public Map<String, Integer> countsByLabel() {
        Map<Integer, Integer> byState = new TreeMap<>();
        int undefined = 0;
        for (ComponentTask c : components.values()) {
            if (c.state() == null) {
                undefined++;
            } else {
                byState.merge(c.state(), 1, Integer::sum);
            }
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        byState.forEach((state, n) -> out.put(ComponentTask.label(state), n));
        if (undefined > 0) {
            out.put(ComponentTask.label(null), undefined);
        }
        return out;
    }

    /** Reads one module object; unknown fields are ignored, missing ones become null. */
    static ModuleBuild from(JsonNode n) {
        int state = n.path("state").asInt(-1);
        String stateName = ComponentTask.textOrNull(n.get("state_name"));
        Map<String, ComponentTask> components = new TreeMap<>();
        JsonNode rpms = n.path("tasks").path("rpms");
        for (Map.Entry<String, JsonNode> e : rpms.properties()) {
            components.put(e.getKey(), ComponentTask.from(e.getKey(), e.getValue()));
        }
        return new ModuleBuild(n.path("id").asLong(), n.path("name").asText(""), n.path("stream").asText(""),
                n.path("version").asText(""), state, stateName == null ? stateName(state) : stateName,
                ComponentTask.textOrNull(n.get("owner")), ComponentTask.textOrNull(n.get("state_reason")),
                ComponentTask.textOrNull(n.get("koji_tag")), time(n.get("time_submitted")),
                time(n.get("time_completed")), components);
    }

    private static Instant time(JsonNode n) {
        String s = ComponentTask.textOrNull(n);
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
