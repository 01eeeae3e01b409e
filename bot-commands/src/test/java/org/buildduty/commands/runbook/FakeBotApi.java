package org.buildduty.commands.runbook;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.chat.LateAnnouncer;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.journal.JournalHistory;
import org.buildduty.core.journal.StateRecords;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.param.Inventory;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.time.Ticker;

/**
 * The bot's services for runbook handler tests: a real registry, a given inventory, a fake clock. Runbook handlers
 * only plan; the operation services throw if a handler ever reaches for them.
 */
final class FakeBotApi implements BotApi {
    private final CommandRegistry registry = new CommandRegistry();
    private final Inventory inventory;
    private final FakeTicker ticker = new FakeTicker();

    final LateAnnouncer announcer = new LateAnnouncer();

    FakeBotApi(Inventory inventory) {
        this.inventory = inventory;
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
        return Set.of();
    }

    @Override
    public boolean isOwner(Identity who) {
        return false;
    }

    @Override
    public boolean mayRun(Identity who, CommandSpec spec) {
        return true;
    }

    @Override
    public List<Operation> activeOperations() {
        throw unused();
    }

    @Override
    public Optional<PendingApproval> pendingApproval(OperationId id) {
        throw unused();
    }

    @Override
    public JournalHistory history() {
        throw unused();
    }

    @Override
    public StateRecords stateRecords() {
        throw unused();
    }

    @Override
    public String approve(OperationId id, Identity who, ChatAddress where) {
        throw unused();
    }

    @Override
    public String deny(OperationId id, Identity who, String reason, ChatAddress where) {
        throw unused();
    }

    @Override
    public String cancel(OperationId id, Identity who) {
        throw unused();
    }

    @Override
    public String link(OperationId id) {
        return "";
    }

    @Override
    public String prefix() {
        return "!";
    }

    private static UnsupportedOperationException unused() {
        return new UnsupportedOperationException("runbook handlers only plan");
    }

    /** Unbound, as in a bot without connectors: announcements are refused. */
    @Override
    public Announcer announcer() {
        return announcer;
    }
}
