package org.buildduty.core.command;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.buildduty.core.UserFacingException;
import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.chat.LateAnnouncer;
import org.buildduty.core.journal.JournalHistory;
import org.buildduty.core.journal.StateRecords;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.time.Ticker;

/**
 * The bot's services as command handlers see them. Methods that act return one chat-safe line and throw
 * {@link org.buildduty.core.UserFacingException} when refused.
 */
public interface BotApi {
    /** Every registered command. */
    CommandRegistry commands();

    /** Hosts and groups from configuration. */
    Inventory inventory();

    /** The clock. */
    Ticker ticker();

    /** The roles an identity holds. */
    Set<String> rolesOf(Identity who);

    /** True for the local operator (the console), who holds every role. */
    boolean isOwner(Identity who);

    /** True if the identity may run the command (used by {@code help} to list only what the caller may run). */
    boolean mayRun(Identity who, CommandSpec spec);

    /** Operations pending approval, queued or running, oldest first. */
    List<Operation> activeOperations();

    /**
     * The pending approval request of an operation, if it has one: the approval before it starts, or the confirmation
     * its {@code confirm} step waits for ({@link PendingApproval#confirm()}).
     */
    Optional<PendingApproval> pendingApproval(OperationId id);

    /**
     * What a queued operation waits for, as {@code ops} shows it: {@code queued 3m behind #17 (reconfig by alice,
     * running 12m; holds bm01..bm50)}; empty when it does not wait.
     */
    default Optional<String> waitingFor(OperationId id) {
        return Optional.empty();
    }

    /** What the journal remembers (operations, host runs, output, approvals), read-only. */
    JournalHistory history();

    /** The durable records of long-lived features, such as a service's watches or scheduled windows. */
    StateRecords stateRecords();

    /**
     * Approves an operation from a chat room: unless {@code bot.private_approvals} is on, the approval counts only in
     * the room the operation was requested in (any thread of it); elsewhere it is refused with one line naming that
     * room. An operation waiting at a {@code confirm} step is confirmed the same way, and its next step runs.
     */
    String approve(OperationId id, Identity who, ChatAddress where);

    /**
     * Denies a pending operation from a chat room, with the same room rule as approving; one waiting at a
     * {@code confirm} step fails there and its completed steps roll back.
     */
    String deny(OperationId id, Identity who, String reason, ChatAddress where);

    /**
     * Creates an operation from a plan on behalf of {@code requester}, as if they had asked in {@code room}: a
     * background service's operation (a maintenance window's runbook, a schedule's run) takes the normal path, so the
     * limits, the exclusion and locks, the approval, the journal, progress and cancel apply as to a command's. The
     * answer lines are returned, not posted: the caller says them where it wants. By default nothing can be
     * created.
     *
     * @throws UserFacingException with one line when it is refused (limits, exclusion)
     */
    default Submitted submit(OperationPlan plan, Identity requester, ChatAddress room) {
        throw new UserFacingException("this bot cannot start operations from a service");
    }

    /** An operation created by {@link #submit}: its id and the lines a command would have answered with. */
    record Submitted(OperationId id, List<String> lines) {
        public Submitted {
            lines = List.copyOf(lines);
        }
    }

    /** Cancels a pending or running operation; rollbacks run. */
    String cancel(OperationId id, Identity who);

    /** What the chat of {@code room} can do (a terminal's when its connector is unknown). */
    default Capabilities capabilities(ChatAddress room) {
        return Capabilities.terminal();
    }

    /** The web link of an operation, or empty string when the web page is off. */
    String link(OperationId id);

    /** The command prefix, e.g. {@code !}. */
    String prefix();

    /** Posts announcements to any room of any connector; by default none can, and every call is refused. */
    default Announcer announcer() {
        return new LateAnnouncer();
    }
}
