package org.buildduty.commands.builtin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.RunbookCommands;
import org.buildduty.core.NotAllowedException;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandHandler;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;

/**
 * {@code retry <id> [--all-hosts]}: runs an operation that failed, was cancelled or was interrupted again, as a new
 * operation with the same frozen plan (parameters, approval, exclusion, on_restart), from its first step that did not
 * succeed, on the hosts where that step did not succeed ({@code --all-hosts}: on all of that step's hosts); the steps
 * after it run on all their hosts.
 *
 * <p>A step did not succeed on a host when its last attempt there did not succeed, or when its rollback ran there
 * (the rollback undid it). A confirm step before a step that ran was confirmed. Values kept by the steps before the
 * retry point are not carried over: a retry whose later steps need one is refused, so nothing runs with a
 * placeholder left empty. Who may retry: whoever may run the command the operation came from (its kind), or, for a
 * runbook, its role; when neither exists any more, role {@code releng}.
 */
final class RetryCommand implements CommandHandler {
    /** Who may retry an operation whose command or runbook no longer exists. */
    static final String FALLBACK_ROLE = "releng";

    @Override
    public Outcome handle(CommandContext ctx) {
        OperationId id = BuiltinCommands.id(ctx, 0);
        OperationRecord r = ctx.bot().history().operation(id)
                .orElseThrow(() -> new UserFacingException("no operation " + id));
        OperationPlan old = r.plan();
        String title = old.kind() + " " + id;
        checkRole(ctx, old.kind(), title);
        if (r.state() == OperationState.SUCCEEDED) {
            throw new UserFacingException("cannot retry " + title + ": it succeeded");
        }
        if (!r.state().isTerminal()) {
            throw new UserFacingException("cannot retry " + title + ": it is still " + r.state().label()
                    + " (cancel it first: " + ctx.bot().prefix() + "cancel " + id.value() + ")");
        }
        if (r.state() == OperationState.DENIED || r.state() == OperationState.EXPIRED) {
            throw new UserFacingException("cannot retry " + title + ": it never ran (" + r.state().label()
                    + "); start it again");
        }
        List<StepSpec> steps = old.steps();
        List<HostRunRecord> runs = ctx.bot().history().hostRuns(id);
        int from = firstNotSucceeded(steps, runs);
        if (from >= steps.size()) {
            throw new UserFacingException("cannot retry " + title + ": it has no step to retry (every step succeeded)");
        }
        StepSpec step = steps.get(from);
        List<String> hosts = step.hosts();
        if (!ctx.args().flag("all-hosts") && !step.hosts().isEmpty()) {
            Set<String> ok = succeededHosts(from, runs);
            hosts = step.hosts().stream().filter(h -> !ok.contains(h)).toList();
        }
        checkKept(title, steps, from, runs);
        List<StepSpec> rest = new ArrayList<>();
        rest.add(step.hosts().isEmpty() ? step : step.withHosts(hosts));
        rest.addAll(steps.subList(from + 1, steps.size()));
        OperationPlan plan = new OperationPlan(old.kind(), old.params(), rest, old.approval(), old.unit(),
                old.onRestart(), old.exclusion());
        String on = step.hosts().isEmpty() ? "" : " on " + String.join(", ", hosts);
        return Outcome.planned(plan, "retries " + id + " from step " + (from + 1) + " \"" + step.name() + "\"" + on);
    }

    /** The index of the first step that did not succeed everywhere, or the number of steps if all did. */
    static int firstNotSucceeded(List<StepSpec> steps, List<HostRunRecord> runs) {
        int lastRan = -1;
        for (HostRunRecord h : runs) {
            lastRan = Math.max(lastRan, h.stepIndex());
        }
        for (int i = 0; i < steps.size(); i++) {
            StepSpec s = steps.get(i);
            if (s.isConfirm()) {
                if (i > lastRan) {
                    return i;
                }
                continue;
            }
            Set<String> ok = succeededHosts(i, runs);
            List<String> hosts = s.hosts().isEmpty() ? Collections.singletonList(null) : s.hosts();
            for (String h : hosts) {
                if (!ok.contains(h == null ? "" : h)) {
                    return i;
                }
            }
        }
        return steps.size();
    }

    /**
     * The hosts ({@code ""} for a step without hosts) where step {@code index} finally succeeded and was not rolled
     * back: a host's last attempt is its result.
     */
    static Set<String> succeededHosts(int index, List<HostRunRecord> runs) {
        Map<String, StepOutcome> last = new LinkedHashMap<>();
        Set<String> rolledBack = new LinkedHashSet<>();
        for (HostRunRecord h : runs) {
            if (h.stepIndex() != index || h.result() == null) {
                continue;
            }
            String host = h.host() == null ? "" : h.host();
            if (h.rollback()) {
                rolledBack.add(host);
            } else {
                last.put(host, h.result().outcome());
            }
        }
        Set<String> ok = new LinkedHashSet<>();
        last.forEach((host, outcome) -> {
            if (outcome == StepOutcome.SUCCEEDED && !rolledBack.contains(host)) {
                ok.add(host);
            }
        });
        return ok;
    }

    /** Refuses a retry whose steps need a value kept by a step before the retry point. */
    private static void checkKept(String title, List<StepSpec> steps, int from, List<HostRunRecord> runs) {
        Set<String> kept = new LinkedHashSet<>();
        for (HostRunRecord h : runs) {
            if (h.stepIndex() < from && !h.rollback() && h.result() != null) {
                kept.addAll(h.result().kept().keySet());
            }
        }
        for (StepSpec s : steps.subList(from, steps.size())) {
            String text = s.args().toString() + (s.rollback() == null ? "" : s.rollback().args().toString());
            for (String name : kept) {
                if (text.contains("{{" + name + "}}")) {
                    throw new UserFacingException("cannot retry " + title + " from step " + (from + 1) + ": step \""
                            + s.name() + "\" needs " + name + ", kept by an earlier step; start it again");
                }
            }
        }
    }

    /** Whoever may run the operation's command (or runbook) may retry it; releng when neither exists. */
    private static void checkRole(CommandContext ctx, String kind, String title) {
        Optional<CommandSpec> command = ctx.bot().commands().get(kind);
        if (command.isPresent()) {
            if (!ctx.bot().mayRun(ctx.caller(), command.get())) {
                throw new NotAllowedException("not allowed: retry " + title + " needs what " + kind + " needs"
                        + command.get().requiredRole().map(r -> " (role " + r + ")").orElse("") + " (you are "
                        + ctx.caller() + ")");
            }
            return;
        }
        Optional<Runbook> runbook = RunbookCommands.runbook(ctx.bot().commands(), kind);
        String role = runbook.map(Runbook::role).orElse(FALLBACK_ROLE);
        if (!role.isEmpty() && !ctx.roles().contains(role)) {
            throw new NotAllowedException("not allowed: retry " + title + " needs role " + role
                    + (runbook.isEmpty() ? " (its command is no longer configured)" : "") + " (you are "
                    + ctx.caller() + ")");
        }
    }
}
