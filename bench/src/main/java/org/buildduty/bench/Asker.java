package org.buildduty.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * One user of {@link LoadBench} in a closed loop until the deadline: it sends a command drawn from the mix, then a
 * marker (an unknown command {@code !zz<token>}), waits for the marker's answer, records the command's latency (to
 * the first line of its answer) and the marker's, and thinks for a while before the next. A request whose marker does
 * not come within the answer timeout is lost, and the asker stops: later lines could not be matched any more.
 */
final class Asker implements Runnable {
    /** How a line reaches the bot: a PRIVMSG to it, or a line on its console. */
    interface Channel {
        void send(String command) throws IOException;
    }

    private final String name;
    private final Channel channel;
    private final ReplyQueue answers;
    private final String whoamiExpect;
    private final Map<String, Latencies> byKind;
    private final IntFunction<String> mix;
    private final long deadline;
    private final Duration timeout;
    private final long thinkMs;
    private final Random random;
    private volatile String failure;

    /**
     * {@code mix} maps a random number in [0, 100) to a command; {@code byKind} holds a {@link Latencies} per
     * command word ({@code whoami}, {@code help}, {@code ops}, {@code op}) and {@code unknown} for the markers.
     * {@code whoamiExpect} is a text the whoami answer must contain (the user's own identity).
     */
    Asker(String name, Channel channel, ReplyQueue answers, String whoamiExpect, Map<String, Latencies> byKind,
            IntFunction<String> mix, long deadline, Duration timeout, long thinkMs, long seed) {
        this.name = name;
        this.channel = channel;
        this.answers = answers;
        this.whoamiExpect = whoamiExpect;
        this.byKind = byKind;
        this.mix = mix;
        this.deadline = deadline;
        this.timeout = timeout;
        this.thinkMs = thinkMs;
        this.random = new Random(seed);
    }

    /** Why the asker stopped early, or null. */
    String failure() {
        return failure;
    }

    @Override
    public void run() {
        int n = 0;
        try {
            Thread.sleep(random.nextInt((int) Math.max(1, thinkMs)));
            while (System.nanoTime() < deadline) {
                String command = mix.apply(random.nextInt(100));
                String kind = command.substring(1).split(" ")[0];
                String token = "zz" + name + "x" + n++;
                Latencies k = byKind.get(kind);
                Latencies marker = byKind.get("unknown");
                k.sent();
                marker.sent();
                long t0 = System.nanoTime();
                channel.send(command);
                long t1 = System.nanoTime();
                channel.send("!" + token);
                List<ReplyQueue.Line> got = answers.takeThrough(token, timeout);
                if (got.isEmpty()) {
                    failure = name + ": no answer to " + command + " within " + timeout.toSeconds() + " s";
                    return;
                }
                ReplyQueue.Line last = got.get(got.size() - 1);
                marker.answered(last.stamp() - t1, last.text().contains("unknown command"));
                if (got.size() > 1) {
                    String first = got.get(0).text();
                    k.answered(got.get(0).stamp() - t0, !kind.equals("whoami") || first.contains(whoamiExpect));
                }
                Thread.sleep(thinkMs / 2 + random.nextInt((int) Math.max(1, thinkMs)));
            }
        } catch (IOException e) {
            failure = name + ": " + e.getMessage();
        } catch (InterruptedException e) {
            failure = name + ": interrupted";
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = name + ": " + e;
        }
    }
}
