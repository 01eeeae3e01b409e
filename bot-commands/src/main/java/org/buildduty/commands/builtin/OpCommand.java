package org.buildduty.commands.builtin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.buildduty.core.UserFacingException;
import org.buildduty.core.approval.ApprovalWording;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.time.Times;

/** {@code op <id>}: one operation from the journal: state, parameters, approvals, and each step's host results. */
final class OpCommand implements CommandHandler {
    /** Failed hosts named per step before the rest are counted. */
    private static final int MAX_FAILED = 3;

    @Override
    public Outcome handle(CommandContext ctx) {
        OperationId id = BuiltinCommands.id(ctx, 0);
        OperationRecord r = ctx.bot().history().operation(id)
                .orElseThrow(() -> new UserFacingException("no operation " + id));
        List<String> lines = new ArrayList<>();
        String took = r.startedAt() == null ? "" : " · " + Times.elapsed(Duration.between(r.startedAt(),
                r.endedAt() == null ? ctx.bot().ticker().now() : r.endedAt()));
        String here = ctx.message().room().connectorId();
        lines.add(r.plan().kind() + " " + id + " by " + r.requester().shownTo(here) + " · " + r.state().label() + took
                + (r.plan().paramSummary().isEmpty() ? "" : " · " + r.plan().paramSummary()));
        if (!r.detail().isEmpty()) {
            lines.add("  " + r.detail());
        }
        for (ApprovalRecord a : ctx.bot().history().approvals(id)) {
            if (a.kind() != ApprovalRecord.Kind.REQUESTED) {
                lines.add("  " + ApprovalWording.event(a, here));
            }
        }
        Map<Integer, List<HostRunRecord>> byStep = new TreeMap<>();
        for (HostRunRecord h : ctx.bot().history().hostRuns(id)) {
            byStep.computeIfAbsent(h.rollback() ? -1 - h.stepIndex() : h.stepIndex(), k -> new ArrayList<>()).add(h);
        }
        List<StepSpec> steps = r.plan().steps();
        for (int i = 0; i < steps.size(); i++) {
            lines.add("  " + stepLine(i, steps.get(i), byStep.getOrDefault(i, List.of()), false));
            List<HostRunRecord> rb = byStep.get(-1 - i);
            if (rb != null && steps.get(i).rollback() != null) {
                lines.add("  " + stepLine(i, steps.get(i).rollback(), rb, true));
            }
        }
        String link = ctx.bot().link(id);
        if (!link.isEmpty()) {
            lines.add("  log: " + link);
        }
        return Outcome.reply(lines);
    }

    private static String stepLine(int i, StepSpec step, List<HostRunRecord> all, boolean rollback) {
        int ok = 0;
        int running = 0;
        List<String> failed = new ArrayList<>();
        // one host run per attempt: the last of a host is its result, the ones before it were retried
        Map<String, List<HostRunRecord>> byHost = new LinkedHashMap<>();
        for (HostRunRecord h : all) {
            byHost.computeIfAbsent(String.valueOf(h.host()), k -> new ArrayList<>()).add(h);
        }
        List<HostRunRecord> runs = new ArrayList<>();
        List<String> retried = new ArrayList<>();
        for (List<HostRunRecord> attempts : byHost.values()) {
            HostRunRecord last = attempts.get(attempts.size() - 1);
            runs.add(last);
            if (attempts.size() > 1) {
                String host = last.host() == null ? "" : last.host() + " ";
                String end = last.result() == null ? "running" : last.result().outcome().label();
                retried.add(host + "failed, retried " + (attempts.size() - 1) + "×, " + end);
            }
        }
        for (HostRunRecord h : runs) {
            StepResult res = h.result();
            if (res == null) {
                running++;
            } else if (!res.outcome().isFailure()) {
                ok += res.outcome().completed() ? 1 : 0;
            } else {
                failed.add(res.summary());
            }
        }
        StringBuilder sb = new StringBuilder(rollback ? "  rollback of step " : "step ").append(i + 1).append(' ')
                .append(step.name()).append(": ");
        if (runs.isEmpty()) {
            return sb.append("not run").toString();
        }
        sb.append(ok).append('/').append(step.width()).append(" ok");
        if (running > 0) {
            sb.append(", ").append(running).append(" running");
        }
        if (!failed.isEmpty()) {
            sb.append(", ").append(failed.size()).append(" failed: ")
                    .append(String.join("; ", failed.subList(0, Math.min(MAX_FAILED, failed.size()))));
            if (failed.size() > MAX_FAILED) {
                sb.append("; …");
            }
        }
        if (!retried.isEmpty()) {
            sb.append(" · ").append(String.join("; ", retried.subList(0, Math.min(MAX_FAILED, retried.size()))));
            if (retried.size() > MAX_FAILED) {
                sb.append("; …");
            }
        }
        return sb.toString();
    }
}
