package org.buildduty.core.journal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.buildduty.core.operation.OperationState;

/**
 * Which operations {@link JournalHistory#find} returns: newest first, ids below {@code beforeId}, at most
 * {@code limit}, each matching every filter that is set. {@link #matches} is the definition; a journal may narrow
 * its reads in its own query language first but must return exactly what {@code matches} admits.
 *
 * <pre>{@code
 * history.find(OperationQuery.newest(50).withKind("reconfig").withRequester("alice")
 *         .withStates(EnumSet.of(OperationState.FAILED)).withText("revision=4f2a", secrets::redact));
 * }</pre>
 *
 * @param kind      the command or runbook name, exactly; empty for any
 * @param requester the requester's principal ({@code alice}) or whole identity ({@code irc:alice}), ignoring letter
 *                  case; empty for anyone
 * @param states    the states admitted; empty for every state
 * @param from      created at or after this instant, or null
 * @param to        created before this instant, or null
 * @param text      words that must each appear, ignoring letter case, in one of the parameters written
 *                  {@code key=value}; empty for no search
 * @param redact    applied to every parameter value before the search looks at it, so a secret is never found by
 *                  its value
 * @param beforeId  only ids below this ({@code Long.MAX_VALUE} for the newest)
 * @param limit     at most this many
 */
public record OperationQuery(String kind, String requester, Set<OperationState> states, Instant from, Instant to,
        String text, UnaryOperator<String> redact, long beforeId, int limit) {
    public OperationQuery {
        kind = kind == null ? "" : kind.strip();
        requester = requester == null ? "" : requester.strip();
        states = states == null || states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
        text = text == null ? "" : text.strip();
        redact = redact == null ? UnaryOperator.identity() : redact;
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
    }

    /** Every operation, the newest {@code limit}. */
    public static OperationQuery newest(int limit) {
        return new OperationQuery("", "", Set.of(), null, null, "", null, Long.MAX_VALUE, limit);
    }

    public OperationQuery withKind(String value) {
        return new OperationQuery(value, requester, states, from, to, text, redact, beforeId, limit);
    }

    public OperationQuery withRequester(String value) {
        return new OperationQuery(kind, value, states, from, to, text, redact, beforeId, limit);
    }

    public OperationQuery withStates(Set<OperationState> value) {
        return new OperationQuery(kind, requester, value, from, to, text, redact, beforeId, limit);
    }

    /** Created in {@code [fromInclusive, toExclusive)}; either may be null for no bound. */
    public OperationQuery withCreated(Instant fromInclusive, Instant toExclusive) {
        return new OperationQuery(kind, requester, states, fromInclusive, toExclusive, text, redact, beforeId, limit);
    }

    public OperationQuery withText(String value, UnaryOperator<String> redactor) {
        return new OperationQuery(kind, requester, states, from, to, value, redactor, beforeId, limit);
    }

    public OperationQuery withBefore(long id) {
        return new OperationQuery(kind, requester, states, from, to, text, redact, id, limit);
    }

    public OperationQuery withLimit(int n) {
        return new OperationQuery(kind, requester, states, from, to, text, redact, beforeId, n);
    }

    /** The search words, lower case. */
    public List<String> words() {
        List<String> out = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** True when {@code op} passes every filter (the id bound included; the limit aside). */
    public boolean matches(OperationRecord op) {
        Objects.requireNonNull(op, "op");
        if (op.id().value() >= beforeId) {
            return false;
        }
        if (!kind.isEmpty() && !kind.equals(op.plan().kind())) {
            return false;
        }
        if (!requester.isEmpty() && !requester.equalsIgnoreCase(op.requester().principal())
                && !requester.equalsIgnoreCase(op.requester().toString())) {
            return false;
        }
        if (!states.isEmpty() && !states.contains(op.state())) {
            return false;
        }
        if (from != null && op.createdAt().isBefore(from) || to != null && !op.createdAt().isBefore(to)) {
            return false;
        }
        List<String> words = words();
        if (words.isEmpty()) {
            return true;
        }
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, String> p : op.plan().params().entrySet()) {
            pairs.add((p.getKey() + "=" + redact.apply(p.getValue())).toLowerCase(Locale.ROOT));
        }
        for (String w : words) {
            if (pairs.stream().noneMatch(p -> p.contains(w))) {
                return false;
            }
        }
        return true;
    }
}
