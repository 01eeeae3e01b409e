package org.buildduty.core.pipeline;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.UserFacingException;
import org.buildduty.core.approval.ApprovalGate;
import org.buildduty.core.approval.ApprovalWording;
import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatReaction;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.journal.StateRecords;
import org.buildduty.core.operation.OperationId;

/**
 * Approve and deny by emoji reaction. A message the bot sent that asks for approval of an operation is
 * {@link #register registered} for it; a reaction on that message then counts as the typed command: ✅, 👍 or ✔
 * as {@code approve <id>}, ❌ as {@code deny <id>}, by the reaction's sender, under the same rules (the approver role,
 * not the requester unless self-approval, distinct people, the room of the request) and with the same answers, said
 * where the message is. Other emoji are ignored. A reaction by the same person again (a duplicate annotation, a
 * second emoji) counts once and is not answered.
 *
 * <p>Removing the reaction that counted before the approval completed withdraws that approval: the gate no longer
 * counts it and the journal records the withdrawal, so a restart does not restore it; the room gets one line. A
 * removal by someone else than the reactor (a Matrix moderator's redaction) is not the reactor's withdrawal: the
 * approval stands, and the room is told so in one line. A removal after the operation left approval (approved and
 * started, denied, expired, cancelled) changes nothing and is not answered.
 *
 * <p>Both maps, message → operation and counted reaction → approver, are kept in the journal's state records while
 * the operation waits, so they survive a restart; they are dropped once it no longer waits ({@link #prune}).
 */
final class ReactionApprovals implements Rooms.Asked {
    /** State records: a message that asks for approval, keyed {@code <connector>:<message id>}. */
    static final String TARGETS = "reaction.target";
    /** State records: a reaction that counted as an approval, keyed {@code <connector>:<reaction id>}. */
    static final String COUNTED = "reaction.counted";
    private static final Logger LOG = LoggerFactory.getLogger(ReactionApprovals.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** ✅ 👍 ✔, normalized. */
    private static final Set<String> APPROVE = Set.of("\u2705", "\uD83D\uDC4D", "\u2714");
    /** ❌. */
    private static final String DENY = "\u274C";

    private final StateRecords state;
    private final BotApi api;
    private final Function<OperationId, Optional<ApprovalGate>> gates;
    private final OperationRooms rooms;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private final Map<String, Counted> counted = new ConcurrentHashMap<>();
    private final Map<String, Target> expected = new ConcurrentHashMap<>();

    /**
     * The operation a bot message asks approval of, and the message's address (where answers go); {@code step} is
     * {@link ApprovalRecord#START} for the request to start it, else the confirm step the message asks about (a
     * reaction on the start request does not confirm a later step).
     */
    record Target(OperationId id, ChatAddress address, int step) {
    }

    /** A reaction that counted: the operation, who approved, and for which step. */
    record Counted(OperationId id, Identity who, int step) {
    }

    /**
     * @param api the typed commands' way to approve and deny ({@link BotApi#approve}, {@link BotApi#deny}), so a
     *     reaction does exactly what the command does, the room check included
     */
    /**
     * @param gates the gate where an operation waits for approval now (its start approval's or a confirm step's)
     */
    ReactionApprovals(StateRecords state, BotApi api, Function<OperationId, Optional<ApprovalGate>> gates,
            OperationRooms rooms) {
        this.state = state;
        this.api = api;
        this.gates = gates;
        this.rooms = rooms;
    }

    /**
     * Registers a message the bot sent as asking for approval of operation {@code id}: reactions on it approve or
     * deny it while it waits. Journaled, so it holds after a restart. A ref without a message id (a chat without
     * ids) is ignored.
     */
    void register(MessageRef sent, OperationId id, int step) {
        if (sent == null || sent.id() == null || sent.id().isEmpty()) {
            return;
        }
        ChatAddress a = sent.address();
        String key = a.connectorId() + ":" + sent.id();
        ObjectNode body = JSON.createObjectNode().put("op", id.value()).put("step", step)
                .put("connector", a.connectorId()).put("room", a.room());
        if (a.thread() != null) {
            body.put("thread", a.thread());
        }
        state.putState(TARGETS, key, body.toString());
        targets.put(key, new Target(id, a, step));
    }

    @Override
    public void expect(String line, OperationId id, int step) {
        expected.put(line, new Target(id, null, step));
    }

    @Override
    public void sent(List<String> lines, List<MessageRef> refs) {
        if (expected.isEmpty()) {
            return;
        }
        for (int i = 0; i < refs.size() && i < lines.size(); i++) {
            String line = lines.get(i);
            for (Map.Entry<String, Target> e : Map.copyOf(expected).entrySet()) {
                if (line.contains(e.getKey()) && expected.remove(e.getKey(), e.getValue())) {
                    register(refs.get(i), e.getValue().id(), e.getValue().step());
                }
            }
        }
    }

    /** Reads the maps back from the journal after a restart. */
    void restore() {
        state.states(TARGETS).forEach((key, body) -> {
            JsonNode n = read(body);
            if (n != null && n.path("op").canConvertToLong()) {
                ChatAddress a = new ChatAddress(n.path("connector").asText(), n.path("room").asText(),
                        n.path("thread").isTextual() ? n.path("thread").asText() : null);
                targets.put(key, new Target(new OperationId(n.path("op").asLong()), a,
                        n.path("step").asInt(ApprovalRecord.START)));
            }
        });
        state.states(COUNTED).forEach((key, body) -> {
            JsonNode n = read(body);
            if (n != null && n.path("op").canConvertToLong() && n.path("who").isTextual()) {
                counted.put(key, new Counted(new OperationId(n.path("op").asLong()),
                        Identity.parse(n.path("who").asText()), n.path("step").asInt(ApprovalRecord.START)));
            }
        });
    }

    /** Drops what belongs to operations that no longer wait for approval, from memory and the journal. */
    void prune(Predicate<OperationId> waiting) {
        expected.values().removeIf(t -> !waiting.test(t.id()));
        for (Map.Entry<String, Target> e : Map.copyOf(targets).entrySet()) {
            if (!waiting.test(e.getValue().id())) {
                state.removeState(TARGETS, e.getKey());
                targets.remove(e.getKey());
            }
        }
        for (Map.Entry<String, Counted> e : Map.copyOf(counted).entrySet()) {
            if (!waiting.test(e.getValue().id())) {
                state.removeState(COUNTED, e.getKey());
                counted.remove(e.getKey());
            }
        }
    }

    /** Handles one reaction: counts it, or withdraws what it counted, and answers where the message is. */
    void handle(ChatReaction r) {
        if (r.added()) {
            added(r);
        } else {
            removed(r);
        }
    }

    private void added(ChatReaction r) {
        boolean approve = APPROVE.contains(r.key());
        if (!approve && !DENY.equals(r.key())) {
            return;
        }
        Target t = targets.get(r.connectorId() + ":" + r.targetMessageId());
        if (t == null) {
            return;
        }
        if (r.room() != null && !r.room().equals(t.address().room())) {
            LOG.warn("reaction {} by {} in {} names message {} of another room; ignored", r.reactionId(), r.sender(),
                    r.room(), r.targetMessageId());
            return;
        }
        OperationId id = t.id();
        Optional<ApprovalGate> gate = gates.apply(id);
        if (gate.isEmpty() || gate.get().pending(id).map(PendingApproval::step).orElse(Integer.MIN_VALUE) != t.step()) {
            return;   // it no longer waits for what this message asked (started, or now at another step)
        }
        answer(t.address(), () -> {
            if (!approve) {
                return api.deny(id, r.sender(), null, t.address());
            }
            if (gate.get().hasApproved(id, r.sender())) {
                return null;   // the same person again: counted once, not answered
            }
            String line = api.approve(id, r.sender(), t.address());
            if (gate.get().pending(id).isPresent()) {
                String key = r.connectorId() + ":" + r.reactionId();
                state.putState(COUNTED, key, JSON.createObjectNode().put("op", id.value())
                        .put("who", r.sender().toString()).put("step", t.step()).toString());
                counted.put(key, new Counted(id, r.sender(), t.step()));
            }
            return line;
        });
    }

    private void removed(ChatReaction r) {
        String key = r.connectorId() + ":" + r.reactionId();
        Counted c = counted.get(key);
        if (c == null) {
            return;
        }
        Optional<ApprovalGate> gate = gates.apply(c.id());
        Optional<PendingApproval> p = gate.flatMap(g -> g.pending(c.id())).filter(x -> x.step() == c.step());
        Optional<Target> t = targets.values().stream().filter(x -> x.id().equals(c.id())).findFirst();
        if (p.isEmpty() || t.isEmpty()) {
            return;   // the operation no longer waits: a removal changes nothing
        }
        String title = p.get().operation().title();
        answer(t.get().address(), () -> {
            if (!r.sender().equals(c.who())) {
                return "the reaction of " + c.who().principal() + " was removed by " + r.sender().principal()
                        + "; it is not " + c.who().principal() + "'s withdrawal: the approval of " + title
                        + " still counts";
            }
            PendingApproval now = gate.get().withdrawApproval(c.id(), c.who(), "reaction removed");
            state.removeState(COUNTED, key);
            counted.remove(key);
            return ApprovalWording.approvalWithdrawn(now, c.who(), "reaction removed");
        });
    }

    /** What a reaction does, as one line (null: nothing to say). */
    @FunctionalInterface
    private interface Act {
        String run();
    }

    /** Runs an act and says its line, or its refusal, in one line where the message is. */
    private void answer(ChatAddress to, Act act) {
        String line;
        try {
            line = act.run();
        } catch (UserFacingException e) {
            line = e.getMessage();
        } catch (JournalException e) {
            LOG.error("journal failure while handling a reaction", e);
            line = "refused: the journal cannot record it (" + e.getMessage() + "); nothing was run";
        } catch (RuntimeException e) {
            LOG.error("internal error handling a reaction", e);
            line = "internal error handling a reaction (see the bot's log); nothing more was done";
        }
        if (line != null) {
            rooms.reply(to, List.of(line));
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            LOG.warn("unreadable reaction state record: {}", e.toString());
            return null;
        }
    }
}
