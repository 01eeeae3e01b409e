package org.buildduty.commands.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.buildduty.core.chat.ChatAddress;

/**
 * One scheduled maintenance window as the journal keeps it: what, when, where to tell, who asked, which notices
 * were already sent (marked before they are announced, so a restart never sends one twice), and the runbook it runs
 * at its start, if any, with how far that got ({@link Update}).
 */
record Maintenance(long id, String title, Instant start, Instant end, Duration remind, List<ChatAddress> targets,
        String requester, ChatAddress origin, Instant createdAt, Set<Notice> sent, String cancelledBy,
        Instant cancelledAt, Update update) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The notices a maintenance sends to each of its targets, and the steps of its update, each marked before it is
     * done: {@code APPROVAL} the approval was asked, {@code WAITING} it began waiting for running builds,
     * {@code RUN} its operation was created, {@code NOT_RUN} it said the update does not run.
     */
    enum Notice { CREATED, REMINDER, START, END, CANCELLED, APPROVAL, WAITING, RUN, NOT_RUN }

    /**
     * The runbook a window runs at its start: its name and parameters as typed ({@code --param key=value}),
     * whether it first waits for running builds and how long at most, the operation that asks the approval, when
     * the wait began, and the operation that runs the runbook (null until each happened).
     */
    record Update(String runbook, Map<String, String> params, boolean whenIdle, Duration maxWait, Long approvalOp,
            Instant waitingSince, Long runOp) {
        Update {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        Update withApprovalOp(long op) {
            return new Update(runbook, params, whenIdle, maxWait, op, waitingSince, runOp);
        }

        Update withWaitingSince(Instant at) {
            return new Update(runbook, params, whenIdle, maxWait, approvalOp, at, runOp);
        }

        Update withRunOp(long op) {
            return new Update(runbook, params, whenIdle, maxWait, approvalOp, waitingSince, op);
        }
    }

    Maintenance {
        targets = List.copyOf(targets);
        Set<Notice> copy = EnumSet.noneOf(Notice.class);
        copy.addAll(sent);
        sent = Collections.unmodifiableSet(copy);
    }

    boolean cancelled() {
        return cancelledAt != null;
    }

    boolean wasSent(Notice n) {
        return sent.contains(n);
    }

    /** Over: cancelled, or its end notice sent. */
    boolean over() {
        return cancelled() || sent.contains(Notice.END);
    }

    /** The same record with more notices marked sent. */
    Maintenance marking(Notice... notices) {
        Set<Notice> more = EnumSet.noneOf(Notice.class);
        more.addAll(sent);
        more.addAll(List.of(notices));
        return new Maintenance(id, title, start, end, remind, targets, requester, origin, createdAt, more,
                cancelledBy, cancelledAt, update);
    }

    /** The same record with its update moved on. */
    Maintenance with(Update moved) {
        return new Maintenance(id, title, start, end, remind, targets, requester, origin, createdAt, sent,
                cancelledBy, cancelledAt, moved);
    }

    /** The same record cancelled by {@code who} at {@code at}, its cancellation notice marked sent. */
    Maintenance cancelling(String who, Instant at) {
        Set<Notice> more = EnumSet.of(Notice.CANCELLED);
        more.addAll(sent);
        return new Maintenance(id, title, start, end, remind, targets, requester, origin, createdAt, more, who, at,
                update);
    }

    /** The journal key: zero-padded so keys sort by id. */
    static String key(long id) {
        return String.format("%09d", id);
    }

    String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("title", title);
        o.put("start", start.toString());
        o.put("end", end.toString());
        o.put("remindSeconds", remind.getSeconds());
        ArrayNode t = o.putArray("targets");
        targets.forEach(a -> t.add(address(a)));
        o.put("requester", requester);
        o.set("origin", address(origin));
        o.put("created", createdAt.toString());
        ArrayNode s = o.putArray("sent");
        sent.forEach(n -> s.add(n.name()));
        if (cancelledAt != null) {
            o.put("cancelledBy", cancelledBy);
            o.put("cancelledAt", cancelledAt.toString());
        }
        if (update != null) {
            ObjectNode u = o.putObject("update");
            u.put("runbook", update.runbook());
            ObjectNode p = u.putObject("params");
            update.params().forEach(p::put);
            u.put("whenIdle", update.whenIdle());
            u.put("maxWaitSeconds", update.maxWait().getSeconds());
            if (update.approvalOp() != null) {
                u.put("approvalOp", update.approvalOp());
            }
            if (update.waitingSince() != null) {
                u.put("waitingSince", update.waitingSince().toString());
            }
            if (update.runOp() != null) {
                u.put("runOp", update.runOp());
            }
        }
        return o.toString();
    }

    /**
     * Reads a record written by {@link #toJson}.
     *
     * @throws IllegalArgumentException if the text is not such a record
     */
    static Maintenance fromJson(String text) {
        try {
            JsonNode o = JSON.readTree(text);
            List<ChatAddress> targets = new ArrayList<>();
            for (JsonNode a : need(o, "targets")) {
                targets.add(address(a));
            }
            Set<Notice> sent = EnumSet.noneOf(Notice.class);
            for (JsonNode n : need(o, "sent")) {
                sent.add(Notice.valueOf(n.asText()));
            }
            JsonNode cancelledAt = o.get("cancelledAt");
            Update update = null;
            JsonNode u = o.get("update");
            if (u != null && !u.isNull()) {
                Map<String, String> params = new LinkedHashMap<>();
                need(u, "params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
                JsonNode approvalOp = u.get("approvalOp");
                JsonNode waitingSince = u.get("waitingSince");
                JsonNode runOp = u.get("runOp");
                update = new Update(need(u, "runbook").asText(), params, need(u, "whenIdle").asBoolean(),
                        Duration.ofSeconds(need(u, "maxWaitSeconds").asLong()),
                        approvalOp == null ? null : approvalOp.asLong(),
                        waitingSince == null ? null : Instant.parse(waitingSince.asText()),
                        runOp == null ? null : runOp.asLong());
            }
            return new Maintenance(need(o, "id").asLong(), need(o, "title").asText(),
                    Instant.parse(need(o, "start").asText()), Instant.parse(need(o, "end").asText()),
                    Duration.ofSeconds(need(o, "remindSeconds").asLong()), targets, need(o, "requester").asText(),
                    address(need(o, "origin")), Instant.parse(need(o, "created").asText()), sent,
                    cancelledAt == null ? null : need(o, "cancelledBy").asText(),
                    cancelledAt == null ? null : Instant.parse(cancelledAt.asText()), update);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a maintenance record: " + e.getMessage(), e);
        }
    }

    private static JsonNode need(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v;
    }

    private static ObjectNode address(ChatAddress a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("connector", a.connectorId());
        o.put("room", a.room());
        if (a.thread() != null) {
            o.put("thread", a.thread());
        }
        return o;
    }

    private static ChatAddress address(JsonNode o) {
        JsonNode thread = o.get("thread");
        return new ChatAddress(need(o, "connector").asText(), need(o, "room").asText(),
                thread == null || thread.isNull() ? null : thread.asText());
    }
}
