package org.buildduty.commands.buildbot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.time.Ticker;
import org.buildduty.core.time.Times;

/**
 * {@code builds running}: the "is anyone building?" check before maintenance. Running builds per builder with their
 * worker and age, oldest first, then the queued requests per builder.
 */
final class BuildsCommand {
    /** Running builds listed one per line; the rest are counted. */
    static final int MAX_LINES = 10;

    private final BuildbotClient buildbot;
    private final Ticker ticker;

    BuildsCommand(BuildbotClient buildbot, Ticker ticker) {
        this.buildbot = buildbot;
        this.ticker = ticker;
    }

    CommandSpec spec() {
        return CommandSpec.builder("builds running").summary("running builds per builder and worker, and the queue")
                .handler(this::handle).build();
    }

    private Outcome handle(CommandContext ctx) {
        List<Build> running = new ArrayList<>(buildbot.runningBuilds());
        List<BuildRequest> queued = buildbot.queuedRequests();
        if (running.isEmpty() && queued.isEmpty()) {
            return Outcome.reply("Buildbot: nothing running, nothing queued");
        }
        Map<Integer, String> builders = buildbot.builders().stream()
                .collect(Collectors.toMap(Builder::id, Builder::name, (a, b) -> a));
        Map<Integer, String> workers = running.isEmpty() ? Map.of() : buildbot.workers();
        Instant now = ticker.now();
        running.sort((x, y) -> x.startedAt().compareTo(y.startedAt()));
        List<String> lines = new ArrayList<>();
        lines.add("Buildbot: " + running.size() + " running, " + queued.size() + " queued");
        for (Build b : running.subList(0, Math.min(MAX_LINES, running.size()))) {
            lines.add(builders.getOrDefault(b.builderId(), "builder " + b.builderId()) + " #" + b.number() + " on "
                    + workers.getOrDefault(b.workerId(), "worker " + b.workerId()) + " for "
                    + Times.elapsed(Duration.between(b.startedAt(), now)) + " (" + b.stateString() + ") "
                    + b.url(buildbot.baseUrl()));
        }
        if (running.size() > MAX_LINES) {
            lines.add("… and " + (running.size() - MAX_LINES) + " more running");
        }
        if (!queued.isEmpty()) {
            Map<String, Integer> perBuilder = new TreeMap<>();
            queued.forEach(q -> perBuilder.merge(builders.getOrDefault(q.builderId(), "builder " + q.builderId()), 1,
                    Integer::sum));
            lines.add("queued: " + perBuilder.entrySet().stream()
                    .map(e -> e.getKey() + (e.getValue() > 1 ? " ×" + e.getValue() : ""))
                    .collect(Collectors.joining(", ")));
        }
        return Outcome.reply(lines);
    }
}
