package org.buildduty.core.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.buildduty.core.NotAllowedException;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.approval.ApprovalGate;
import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.journal.JournalHistory;
import org.buildduty.core.journal.StateRecords;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.time.Ticker;

/**
 * The bot as commands and services see it, built by the {@link Engine} from its parts: the journal's history and
 * state records (never its writes), the operations' verbs, the approval gate's pending requests, the rooms as an
 * announcer, the authorizer's roles, the clock, the inventory and the command registry. Nothing here reaches the
 * engine itself.
 *
 * <p>Cancelling is allowed to the operation's requester and to holders of the cancel role.
 */
final class CommandApi implements BotApi {
    private final CommandRegistry registry;
    private final Inventory inventory;
    private final Ticker ticker;
    private final Authorizer authorizer;
    private final Operations operations;
    private final ApprovalGate gate;
    private final JournalHistory history;
    private final StateRecords stateRecords;
    private final Rooms rooms;
    private final Function<OperationId, String> link;
    private final String prefix;
    private final String cancelRole;

    /** What the engine hands out; each part is one the engine built or was given. */
    record Parts(CommandRegistry registry, Inventory inventory, Ticker ticker, Authorizer authorizer,
            Operations operations, ApprovalGate gate, JournalHistory history, StateRecords stateRecords, Rooms rooms,
            Function<OperationId, String> link, String prefix, String cancelRole) {
    }

    CommandApi(Parts p) {
        this.registry = p.registry();
        this.inventory = p.inventory();
        this.ticker = p.ticker();
        this.authorizer = p.authorizer();
        this.operations = p.operations();
        this.gate = p.gate();
        this.history = JournalHistory.readOnly(p.history());
        this.stateRecords = p.stateRecords();
        this.rooms = p.rooms();
        this.link = p.link();
        this.prefix = p.prefix();
        this.cancelRole = p.cancelRole();
    }

    @Override
    public CommandRegistry commands() {
        return registry;
    }

    @Override
    public Inventory inventory() {
        return inventory;
    }

    @Override
    public Ticker ticker() {
        return ticker;
    }

    @Override
    public Set<String> rolesOf(Identity who) {
        return authorizer.roles().rolesOf(who);
    }

    @Override
    public boolean isOwner(Identity who) {
        return authorizer.roles().isOwner(who);
    }

    @Override
    public boolean mayRun(Identity who, CommandSpec spec) {
        return authorizer.decide(who, spec).allowed();
    }

    @Override
    public List<Operation> activeOperations() {
        List<Operation> out = new ArrayList<>(operations.active());
        out.sort(Comparator.comparing(Operation::id));
        return out;
    }

    @Override
    public Optional<PendingApproval> pendingApproval(OperationId id) {
        return gate.pending(id).or(() -> operations.confirmation(id));
    }

    @Override
    public Optional<String> waitingFor(OperationId id) {
        return operations.waitingFor(id);
    }

    @Override
    public JournalHistory history() {
        return history;
    }

    @Override
    public StateRecords stateRecords() {
        return stateRecords;
    }

    @Override
    public String approve(OperationId id, Identity who, ChatAddress where) {
        operations.checkApprovalRoom(id, where, "approve");
        return operations.approve(id, who);
    }

    @Override
    public String deny(OperationId id, Identity who, String reason, ChatAddress where) {
        operations.checkApprovalRoom(id, where, "deny");
        return operations.deny(id, who, reason);
    }

    @Override
    public Submitted submit(OperationPlan plan, Identity requester, ChatAddress room) {
        return operations.submit(plan, requester, room);
    }

    @Override
    public String cancel(OperationId id, Identity who) {
        Operation op = operations.find(id).orElseThrow(() -> new UserFacingException(
                id + " is not pending or running (see: " + prefix + "op " + id.value() + ")"));
        if (!who.equals(op.requester()) && !authorizer.roles().hasRole(who, cancelRole)) {
            throw new NotAllowedException("cancelling " + op.title() + " needs role " + cancelRole
                    + " or being its requester (you are " + who + ")");
        }
        return operations.cancel(op, who);
    }

    @Override
    public Capabilities capabilities(ChatAddress room) {
        return rooms.capabilities(room);
    }

    @Override
    public String link(OperationId id) {
        return link.apply(id);
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public Announcer announcer() {
        return rooms;
    }
}
