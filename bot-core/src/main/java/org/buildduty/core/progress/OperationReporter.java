package org.buildduty.core.progress;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.time.Ticker;
import org.buildduty.core.time.Times;

/**
 * Turns one operation's progress events into chat messages for its room: a status line kept current, notable events
 * (failures, stuck hosts, rollbacks) as lines prefixed with the operation id, and a final status with the summary
 * and, for a failure, the last lines of the failed host's output; hosts whose cancelled or timed-out command could
 * not be stopped ({@link StepResult#notStopped()}) are named in one more line, folded by reason. Every output line
 * goes to the room only where the chat shows live output (the console); elsewhere only the executors'
 * {@link OutputChannel#NOTICE} lines do.
 */
public final class OperationReporter extends ProgressSink {
    /** Lines of a failed host's output repeated in the room. */
    static final int TAIL_LINES = 3;
    /** Failed hosts whose last lines are repeated in the room. */
    static final int TAIL_HOSTS = 3;
    private static final int MAX_LINE = 300;
    /** Hosts named per reason in the line about commands that could not be stopped; the rest are counted. */
    static final int NOT_STOPPED_NAMED = 8;

    private final RoomPublisher publisher;
    private final Ticker ticker;
    private final Function<OperationId, String> links;
    private final Map<OperationId, OperationProgress> progress = new HashMap<>();
    private final Map<String, Deque<String>> tails = new HashMap<>();
    private final Map<OperationId, List<String>> failedHosts = new HashMap<>();
    /** Per operation: each failure said so far (its text with the host as {@code {host}}), and the hosts since. */
    private final Map<OperationId, Map<String, List<String>>> sameFailure = new HashMap<>();
    /** Per operation: why a cancelled command could not be stopped, and on which hosts. */
    private final Map<OperationId, Map<String, List<String>>> notStopped = new HashMap<>();

    /**
     * @param links the web link of an operation, or empty string when there is no web page
     */
    public OperationReporter(RoomPublisher publisher, Ticker ticker, Function<OperationId, String> links) {
        this.publisher = publisher;
        this.ticker = ticker;
        this.links = links;
    }

    private synchronized OperationProgress progress(Operation op) {
        return progress.computeIfAbsent(op.id(), k -> new OperationProgress(op));
    }

    @Override
    public void stepStarted(Operation op, int index, StepSpec step) {
        progress(op).stepStarted(index);
        int steps = op.plan().steps().size();
        if (steps > 1 || !step.hosts().isEmpty()) {
            String on = step.hosts().isEmpty() ? "" : " on " + step.hosts().size() + " " + op.plan().unit();
            publisher.line(op.id(), op.id() + " step " + (index + 1) + "/" + steps + ": " + step.name() + on);
        }
        status(op);
    }

    @Override
    public void output(Operation op, int index, StepSpec step, String host, OutputChannel stream, String line) {
        synchronized (this) {
            Deque<String> tail = tails.computeIfAbsent(op.id() + "/" + host, k -> new ArrayDeque<>());
            tail.add(line);
            if (tail.size() > TAIL_LINES) {
                tail.poll();
            }
        }
        if (publisher.capabilities().liveOutput()) {
            publisher.line(op.id(), op.id() + (host == null ? "" : " " + host) + "| " + cut(line));
        } else if (stream == OutputChannel.NOTICE) {
            publisher.line(op.id(), op.id() + (host == null ? "" : " " + host) + " " + cut(line));
        }
    }

    @Override
    public void hostStuck(Operation op, int index, StepSpec step, String host, Duration silentFor, String lastLine) {
        publisher.line(op.id(), op.id() + " " + (host == null ? step.name() : host) + " stuck: no output for "
                + Times.elapsed(silentFor) + (lastLine == null || lastLine.isEmpty() ? "" : "; last: "
                + cut(lastLine)));
    }

    /** One line per retry: {@code deploy #5 step 2 on bm03: retry 1 of 3 in 30s (exit 1)}. */
    @Override
    public void hostRetrying(Operation op, int index, StepSpec step, StepResult failed, int retry, int of,
            Duration delay) {
        String why = failed.outcome() == StepOutcome.FAILED && failed.exitCode() != null
                ? "exit " + failed.exitCode() : failed.outcome().label();
        publisher.line(op.id(), op.title() + " step " + (index + 1) + (failed.host() == null ? "" : " on "
                + failed.host()) + ": retry " + retry + " of " + of + (delay.isZero() ? " now" : " in "
                + Times.elapsed(delay)) + " (" + why + ")");
    }

    @Override
    public void hostFinished(Operation op, int index, StepSpec step, StepResult result) {
        progress(op).hostFinished(result);
        if (!result.notStopped().isEmpty()) {
            synchronized (this) {
                notStopped.computeIfAbsent(op.id(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(result.notStopped(), k -> new ArrayList<>())
                        .add(result.host() == null ? step.name() : result.host());
            }
        }
        if (OperationProgress.failedOnItsOwn(result)) {
            boolean again;
            synchronized (this) {
                List<String> failed = failedHosts.computeIfAbsent(op.id(), k -> new ArrayList<>());
                if (failed.size() < TAIL_HOSTS) {
                    failed.add(String.valueOf(result.host()));
                }
                Map<String, List<String>> said = sameFailure.computeIfAbsent(op.id(), k -> new LinkedHashMap<>());
                String shape = shape(result);
                again = result.host() != null && said.containsKey(shape);
                if (again) {
                    said.get(shape).add(result.host());
                } else {
                    said.put(shape, new ArrayList<>());
                }
            }
            if (!again) {
                publisher.line(op.id(), op.id() + " failed: " + (result.host() == null ? step.name() + ": " : "")
                        + result.summary());
            }
        }
        status(op);
    }

    /**
     * One line for the hosts of this step that failed the same way as a host already said: {@code #5 failed the same
     * way on web2, web3, web4 (as web1)}, rather than the same long reason once per host.
     */
    @Override
    public void stepFinished(Operation op, int index, StepSpec step, StepOutcome outcome, List<StepResult> results) {
        sayRepeats(op);
    }

    private void sayRepeats(Operation op) {
        List<String> lines = new ArrayList<>();
        synchronized (this) {
            Map<String, List<String>> said = sameFailure.getOrDefault(op.id(), Map.of());
            for (Map.Entry<String, List<String>> e : said.entrySet()) {
                if (!e.getValue().isEmpty()) {
                    lines.add(op.id() + " failed the same way on " + String.join(", ", e.getValue()));
                    e.getValue().clear();
                }
            }
        }
        lines.forEach(l -> publisher.line(op.id(), cut(l)));
    }

    /** A failure's text with its host written {@code {host}}, so hosts that failed alike compare equal. */
    private static String shape(StepResult r) {
        String text = r.summary();
        return r.host() == null ? text : text.replace(r.host(), "{host}");
    }

    @Override
    public void rollbackStarted(Operation op, int index, StepSpec rollback) {
        progress(op).rollingBack();
        publisher.line(op.id(), op.id() + " rolling back step " + (index + 1) + " (" + rollback.name() + ")");
    }

    @Override
    public void rollbackFinished(Operation op, int index, StepSpec rollback, StepOutcome outcome,
            List<StepResult> results) {
        if (outcome.isFailure()) {
            List<String> bad = results.stream().filter(r -> r.outcome().isFailure()).map(StepResult::summary).toList();
            publisher.line(op.id(), op.id() + " rollback of step " + (index + 1) + " failed: "
                    + cut(String.join("; ", bad)));
        }
    }

    @Override
    public void operationFinished(Operation op, OperationState end, String summary) {
        sayRepeats(op);
        OperationProgress p = progress(op);
        p.ended(end.label());
        List<String> lines = new ArrayList<>();
        if (end != OperationState.SUCCEEDED) {
            lines.add(cut(summary));
        }
        String unstopped = notStoppedLine(op);
        if (unstopped != null) {
            lines.add(unstopped);
        }
        if (end != OperationState.SUCCEEDED && !publisher.capabilities().liveOutput()) {
            synchronized (this) {
                for (String host : failedHosts.getOrDefault(op.id(), List.of())) {
                    Deque<String> tail = tails.getOrDefault(op.id() + "/" + host, new ArrayDeque<>());
                    String who = "null".equals(host) ? "" : " " + host;
                    tail.forEach(l -> lines.add(op.id() + who + "| " + cut(l)));
                }
            }
        }
        String link = links.apply(op.id());
        if (link != null && !link.isEmpty()) {
            lines.add(op.id() + " log: " + link);
        }
        publisher.finish(op.id(), p.statusLine(ticker.now()), lines);
        synchronized (this) {
            progress.remove(op.id());
            failedHosts.remove(op.id());
            sameFailure.remove(op.id());
            notStopped.remove(op.id());
            tails.keySet().removeIf(k -> k.startsWith(op.id() + "/"));
        }
    }

    /**
     * One line for the hosts whose cancelled or timed-out command could not be stopped, folded by reason:
     * {@code #5 could not stop the command on web1, web2 (connection lost) and db1 (...): check those hosts}.
     */
    private synchronized String notStoppedLine(Operation op) {
        Map<String, List<String>> byReason = notStopped.get(op.id());
        if (byReason == null || byReason.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        byReason.forEach((why, hosts) -> {
            List<String> sorted = hosts.stream().sorted().toList();
            String names = String.join(", ", sorted.subList(0, Math.min(sorted.size(), NOT_STOPPED_NAMED)));
            if (sorted.size() > NOT_STOPPED_NAMED) {
                names += " and " + (sorted.size() - NOT_STOPPED_NAMED) + " more";
            }
            parts.add(names + " (" + why + ")");
        });
        boolean one = byReason.size() == 1 && byReason.values().iterator().next().size() == 1;
        return cut(op.id() + " could not stop the command on " + String.join(" and ", parts) + ": check "
                + (one ? "that host" : "those hosts"));
    }

    private void status(Operation op) {
        publisher.status(op.id(), progress(op).statusLine(ticker.now()));
    }

    /** One line of at most {@link #MAX_LINE} characters, redacted before it is cut. */
    private String cut(String s) {
        return publisher.redactor().cut(s.replaceAll("[\\r\\n\\x00]", " "), MAX_LINE);
    }
}
