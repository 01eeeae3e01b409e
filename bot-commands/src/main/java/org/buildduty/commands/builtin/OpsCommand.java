package org.buildduty.commands.builtin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.buildduty.core.approval.ApprovalWording;
import org.buildduty.core.approval.PendingApproval;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.time.Times;

/** {@code ops [--recent]}: operations pending approval or running, oldest first; with --recent, the last finished. */
final class OpsCommand implements CommandHandler {
    @Override
    public Outcome handle(CommandContext ctx) {
        List<String> lines = new ArrayList<>();
        for (Operation op : ctx.bot().activeOperations()) {
            lines.add(line(ctx, op));
        }
        if (lines.isEmpty()) {
            lines.add("no operations pending or running");
        }
        if (ctx.args().flag("recent")) {
            for (OperationRecord r : ctx.bot().history().recent(10, Long.MAX_VALUE)) {
                if (r.state().isTerminal()) {
                    lines.add(r.plan().kind() + " " + r.id() + " by " + r.requester().principal() + " · "
                            + r.state().label() + (r.endedAt() == null ? "" : " at " + Times.clock(r.endedAt())));
                }
            }
        }
        return Outcome.reply(lines);
    }

    private static String line(CommandContext ctx, Operation op) {
        StringBuilder sb = new StringBuilder(op.title()).append(" by ").append(op.requester().principal())
                .append(" · ");
        Optional<PendingApproval> confirm = op.state() == OperationState.WAITING
                ? ctx.bot().pendingApproval(op.id()).filter(PendingApproval::confirm) : Optional.empty();
        if (confirm.isPresent()) {
            return sb.append(ApprovalWording.waiting(confirm.get())).toString();
        }
        sb.append(op.state().label());
        if (op.state() == OperationState.PENDING_APPROVAL) {
            ctx.bot().pendingApproval(op.id()).ifPresent((PendingApproval p) -> sb.append(" (")
                    .append(ApprovalWording.status(p)).append(')'));
        } else if (op.state() == OperationState.QUEUED) {
            // "queued 3m behind #17 (...)": the state is already said, so only "3m behind #17 (...)"
            ctx.bot().waitingFor(op.id()).ifPresent(w -> sb.append(" (").append(w.substring("queued ".length()))
                    .append(')'));
        } else if (op.startedAt() != null) {
            sb.append(' ').append(Times.elapsed(Duration.between(op.startedAt(), ctx.bot().ticker().now())));
        }
        return sb.toString();
    }
}
