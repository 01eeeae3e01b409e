package org.buildduty.app.web;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;

import org.buildduty.core.journal.JournalHistory;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.pipeline.Engine;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.time.Sleeper;

/**
 * An operation's output, read from the journal a page of at most {@value #PAGE} lines at a time, so a log of any
 * length is never held in memory: {@code /ops/<id>/log} as plain text, and {@code /ops/<id>/events} as server-sent
 * events that follow the operation until it ends.
 *
 * <p>Events: {@code line} (id = the line's seq, so {@code Last-Event-ID} resumes after it; data
 * {@code {"seq","step","stepIndex","host","stream","at","time","text"}}, host {@code local} for a step without
 * hosts), {@code state} (data: {@link OpView} as JSON, sent when it changes) and {@code end} (once the operation
 * is terminal and every line was sent). A comment line keeps an idle stream open. With {@code ?host=} only that
 * host's lines are sent; a page of others' lines is passed with a bare {@code id:} so a reconnect resumes after it.
 */
final class LogStreams {
    static final int PAGE = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Engine engine;
    private final Sleeper sleeper;
    private final Duration poll;
    private final int heartbeatEvery;
    private final Semaphore streams;
    private final CountDownLatch closing;

    LogStreams(Engine engine, Sleeper sleeper, Duration poll, Duration heartbeat, int maxStreams,
            CountDownLatch closing) {
        this.engine = engine;
        this.sleeper = sleeper;
        this.poll = poll;
        this.heartbeatEvery = (int) Math.max(1, heartbeat.toMillis() / Math.max(1, poll.toMillis()));
        this.streams = new Semaphore(maxStreams);
        this.closing = closing;
    }

    /**
     * {@code /ops/<id>/log}: every line the filter admits, oldest first, each as
     * {@code 2026-12-06 03:00:05Z [step] host: text} ({@code local} for a step without hosts).
     */
    void log(Context ctx, OperationRecord op, LineFilter filter) throws IOException {
        JournalHistory journal = engine.api().history();
        Redactor secrets = engine.secrets();
        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setContentType("text/plain; charset=utf-8");
        Writer out = new BufferedWriter(new OutputStreamWriter(res.getOutputStream(), StandardCharsets.UTF_8), 65536);
        Set<String> failed = filter.failedOnly() ? LineFilter.failedRuns(OpView.of(op, journal.hostRuns(op.id()),
                secrets)) : Set.of();
        List<String> steps = op.plan().steps().stream().map(s -> secrets.redact(s.name())).toList();
        long after = 0;
        while (true) {
            List<OutputLine> page = journal.output(op.id(), after, PAGE);
            for (OutputLine l : page) {
                after = l.seq();
                if (!filter.admits(l, failed)) {
                    continue;
                }
                out.write(OpView.stamp(l.at()));
                out.write(" [");
                out.write(l.stepIndex() >= 0 && l.stepIndex() < steps.size() ? steps.get(l.stepIndex()) : "-");
                out.write("] ");
                out.write(OpView.host(l.host()));
                out.write(": ");
                out.write(secrets.redact(l.line()));
                out.write('\n');
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        out.flush();
    }

    /**
     * {@code /ops/<id>/events}, from after {@code Last-Event-ID} or {@code ?after=<seq>} (the page's last line),
     * only the lines of {@code ?host=} if given; 503 when {@code maxStreams} streams are open already.
     */
    void events(Context ctx, OperationRecord op, LineFilter filter) throws IOException {
        if (!streams.tryAcquire()) {
            ctx.status(503).contentType("text/plain; charset=utf-8").result("too many live streams; try again\n");
            return;
        }
        try {
            stream(ctx, op.id(), Math.max(lastEventId(ctx.header("Last-Event-ID")),
                    lastEventId(ctx.queryParam("after"))), new LineFilter(filter.host(), false));
        } catch (IOException e) {
            // the browser went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.release();
        }
    }

    private void stream(Context ctx, OperationId id, long from, LineFilter filter)
            throws IOException, InterruptedException {
        JournalHistory journal = engine.api().history();
        Redactor secrets = engine.secrets();
        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setContentType("text/event-stream; charset=utf-8");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        Writer out = new BufferedWriter(new OutputStreamWriter(res.getOutputStream(), StandardCharsets.UTF_8), 65536);
        out.write("retry: 2000\n\n");
        out.flush();
        long after = from;
        String lastState = null;
        int idle = 0;
        while (true) {
            // The state is read before the lines: once it is terminal, every line is in the journal already.
            OperationRecord op = journal.operation(id).orElseThrow();
            String state = json(OpView.of(op, journal.hostRuns(id), secrets, op.state().isTerminal() ? ""
                    : engine.api().waitingFor(id).orElse("")));
            boolean sent = false;
            while (true) {
                List<OutputLine> page = journal.output(id, after, PAGE);
                boolean wrote = false;
                for (OutputLine l : page) {
                    after = l.seq();
                    if (filter.admits(l, Set.of())) {
                        out.write("id: " + l.seq() + "\nevent: line\ndata: " + json(line(op.plan(), l, secrets))
                                + "\n\n");
                        wrote = true;
                    } else if (l == page.get(page.size() - 1)) {
                        // a page of other hosts' lines: the browser resumes after it all the same
                        out.write("id: " + l.seq() + "\n\n");
                        wrote = true;
                    }
                }
                if (wrote) {
                    out.flush();
                    sent = true;
                }
                if (page.size() < PAGE) {
                    break;
                }
            }
            if (!state.equals(lastState)) {
                out.write("event: state\ndata: " + state + "\n\n");
                out.flush();
                lastState = state;
                sent = true;
            }
            if (op.state().isTerminal()) {
                out.write("event: end\ndata: {}\n\n");
                out.flush();
                return;
            }
            idle = sent ? 0 : idle + 1;
            if (idle >= heartbeatEvery) {
                out.write(": keep-alive\n\n");
                out.flush();
                idle = 0;
            }
            if (!sleeper.sleep(poll, closing)) {
                return;
            }
        }
    }

    /** A line event's data: {@code seq, step, stepIndex, host, stream, at, time, text}. */
    static Map<String, Object> line(OperationPlan plan, OutputLine l, Redactor secrets) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", l.seq());
        int i = l.stepIndex();
        m.put("step", i >= 0 && i < plan.steps().size() ? secrets.redact(plan.steps().get(i).name()) : "");
        m.put("stepIndex", i);
        m.put("host", OpView.host(l.host()));
        m.put("stream", l.stream() == null ? "" : l.stream().name().toLowerCase(Locale.ROOT));
        m.put("at", l.at() == null ? "" : l.at().toString());
        m.put("time", OpView.clock(l.at()));
        m.put("text", secrets.redact(l.line()));
        return m;
    }

    /** The seq to resume after: the {@code Last-Event-ID} header when it is a number, else 0. */
    static long lastEventId(String header) {
        if (header == null || header.isBlank() || header.length() > 18
                || !header.strip().chars().allMatch(c -> c >= '0' && c <= '9')) {
            return 0;
        }
        return Long.parseLong(header.strip());
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
