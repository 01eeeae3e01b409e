package org.buildduty.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.app.hostile.HostileInputs;
import org.buildduty.connectors.testing.IrcNetwork;
import org.buildduty.connectors.testing.RawIrcClient;
import org.buildduty.core.UsageException;
import org.buildduty.core.parse.Sanitize;
import org.buildduty.core.parse.Tokenizer;

/**
 * The hostile corpus through a real IRC network (InspIRCd + Atheme) into the real jar: a SASL-logged-in releng
 * account sends every payload in private messages, raw and as {@code run hostile --msg <quoted>}, {@code reconfig
 * --dry-run --masters=<payload>} and {@code op <payload>}, each followed by a numbered unknown command whose answer
 * ends the answers to it. No payload reaches a shell unquoted (the canary never appears), every addressed message is
 * answered, no answer carries a raw control character, the bot keeps answering ({@code whoami} after each category)
 * and stays connected, and the secret shows up in no line, log or journal byte.
 *
 * <p>What IRC cannot carry, and how it is sent anyway: CR and LF end an IRC line, so a payload with line breaks goes
 * as an IRC client sends a pasted text, one PRIVMSG per non-empty piece, the sentinel after the last (each piece is
 * a message of its own, answered on its own). NUL is written as the raw byte; InspIRCd delivers it as a space (a
 * lone NUL is then a blank line, which needs no answer). A lone surrogate cannot be encoded (Java's encoder writes
 * {@code ?}); instead, lines of raw invalid UTF-8, an encoded surrogate among them, are sent alone and in a {@code run
 * hostile --msg}. A line is cut at 512 bytes: longer lines are cut to that by the client, at a byte, so a multi-byte
 * character may be split (a 64 KiB line would get the client killed for "RecvQ exceeded", not reach the bot). IRC
 * formatting and CTCP codes (bold U+0002, colour U+0003, reset U+000F, reverse U+0016, italic U+001D, underline
 * U+001F, CTCP U+0001) are in the corpus and are sent raw, also around commands; a message that is all one CTCP
 * request is not a command and needs no answer (a CTCP reply would be checked like every other line).
 *
 * <p>The bot's IRC output is paced (the fastest {@code flood} the configuration accepts is a burst of 20, then a
 * line every 200 ms), so the corpus is shared among {@link #CONNECTIONS} IRC connectors of one bot, each with its
 * own nick ({@code bdN}), pacer and client ({@code aliceN}, all logged in as the account {@code alice}). The final
 * status of a run yields to answers in the room's budget, so it often arrives in the window of a later message: the
 * client keeps track of the runs started and waits for all their ends (each must have succeeded) at the end.
 */
class HostileIrcIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SECRET = "hx-secret-" + UUID.randomUUID();
    private static final String CHANNEL = "#hostile";
    /** IRC connectors of the bot (and clients), sharing the messages. */
    static final int CONNECTIONS = 12;
    private static final Pattern STARTED = Pattern.compile("^hostile #(\\d+) started");
    /** A line about a running operation, not an answer. */
    private static final Pattern PROGRESS = Pattern.compile("^[a-z-]+ #\\d+ (\\[|step |failed|log:|[^ ]*\\| )");
    /** An IRC line without its CRLF. */
    private static final int LINE_BYTES = 510;
    /** The final status line of an operation. */
    private static final Pattern ENDED = Pattern.compile(".* · (succeeded|failed|cancelled|denied|expired|interrupted)"
            + " · [^·]*$");

    @TempDir
    Path dir;
    private Path canary;
    private final AtomicInteger messages = new AtomicInteger();
    private final AtomicInteger answers = new AtomicInteger();
    private final AtomicInteger runs = new AtomicInteger();

    @Test
    void everyPayloadInPrivateMessagesThroughTheIrcServer() throws Exception {
        canary = dir.resolve("CANARY");
        long start = System.nanoTime();
        HostileChecks checks = new HostileChecks(SECRET);
        List<HostileInputs.Payload> all = HostileInputs.all(canary);
        try (IrcNetwork net = IrcNetwork.start(dir.resolve("net"))) {
            net.register("alice", "alicepw123");
            writeConfig(net.port());
            try (BotProcess bot = BotProcess.start(dir, List.of("--config", "config/buildduty.yml"),
                    Map.of(HostileInputs.SECRET_ENV, SECRET))) {
                bot.expectErr("buildduty ready", WAIT);
                List<RawIrcClient> clients = new ArrayList<>();
                try {
                    List<Callable<RawIrcClient>> connects = new ArrayList<>();
                    for (int i = 1; i <= CONNECTIONS; i++) {
                        int n = i;
                        connects.add(() -> {
                            RawIrcClient c = RawIrcClient.connect(net.port(), "alice" + n, "alice", "alicepw123",
                                    "account-tag");
                            synchronized (clients) {
                                clients.add(c);
                            }
                            c.join(CHANNEL);
                            awaitBotJoined(c, n);
                            return c;
                        });
                    }
                    List<RawIrcClient> byNumber = inParallel(connects);
                    List<Callable<Void>> workers = new ArrayList<>();
                    for (int i = 1; i <= CONNECTIONS; i++) {
                        Worker w = new Worker(byNumber.get(i - 1), i, checks);
                        workers.add(() -> {
                            w.work(all);
                            return null;
                        });
                    }
                    inParallel(workers);
                    for (RawIrcClient c : byNumber) {
                        assertThat(c.closed()).isFalse();
                        assertThat(c.lines()).as("a bot leaving or killed").noneMatch(HostileIrcIT::botGone);
                        checks.notIn("the lines " + c.nick() + " received", String.join("\n", c.lines()));
                    }
                } finally {
                    clients.forEach(RawIrcClient::close);
                }
                assertThat(canary).doesNotExist();
                checks.notIn("stdout", String.join("\n", bot.stdout()));
                checks.notIn("stderr", String.join("\n", bot.stderr()));
                assertThat(bot.stderr()).noneMatch(l -> l.contains("Exception") || l.contains("ERROR"));
            }
        }
        String log = Files.readString(dir.resolve("buildduty.log"));
        assertThat(log).doesNotContain("RECONNECTING").doesNotContain("Excess").doesNotContain("Exception");
        checks.notInFiles(dir);
        assertThat(runs.get()).as("hostile runs that ended").isGreaterThan(200);
        System.out.printf("hostile IRC: %d payloads, %d messages, %d answer lines, %d hostile runs, %d connections,"
                + " %d s%n", all.size(), messages.get(), answers.get(), runs.get(), CONNECTIONS,
                Duration.ofNanos(System.nanoTime() - start).toSeconds());
    }

    /** Runs the tasks at once; returns their results in order, or throws the first failure. */
    private static <T> List<T> inParallel(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            tasks.forEach(t -> futures.add(pool.submit(t)));
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw e;
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One client talking to one of the bot's nicks. */
    private final class Worker {
        private final RawIrcClient client;
        private final String bot;
        private final int number;
        private final HostileChecks checks;
        private final Set<String> running = new LinkedHashSet<>();
        private int sentinels;

        Worker(RawIrcClient client, int n, HostileChecks checks) {
            this.client = client;
            this.number = n;
            this.bot = "bd" + n;
            this.checks = checks;
        }

        /**
         * Takes every {@link #CONNECTIONS}-th payload of the corpus, category by category, with {@code whoami} after
         * each; waits for the end of its runs; the last two connections also send the leak run and the raw
         * byte lines first (they have the fewest payloads).
         */
        void work(List<HostileInputs.Payload> all) {
            if (number == CONNECTIONS) {
                leak();
            }
            if (number == CONNECTIONS - 1) {
                rawBytes();
            }
            for (String category : HostileInputs.CATEGORIES) {
                for (int k = number - 1; k < all.size(); k += CONNECTIONS) {
                    if (all.get(k).category().equals(category)) {
                        payload(all.get(k));
                    }
                }
                whoami("after " + category);
                assertThat(canary).as("after " + category).doesNotExist();
            }
            drain();
            whoami("at the end");
        }

        void payload(HostileInputs.Payload p) {
            String q = HostileInputs.quoted(p.text());
            for (String message : List.of(p.text(), "run hostile --msg " + q,
                    "reconfig --dry-run --masters=" + p.text(), "op " + p.text())) {
                checkAnswer(p.toString(), p.text(), message, send(message));
            }
        }

        /** Sends {@code message} as IRC can (see the class comment), then the sentinel; returns the bot's texts. */
        List<String> send(String message) {
            for (String piece : message.split("\r\n|\r|\n", -1)) {
                if (!piece.isEmpty()) {
                    sendLine(piece.getBytes(StandardCharsets.UTF_8));
                }
            }
            messages.incrementAndGet();
            return untilSentinel();
        }

        /** Sends one PRIVMSG of raw bytes to the bot, cut (as the server would) to an IRC line's 510 bytes. */
        void sendLine(byte[] text) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            line.writeBytes(("PRIVMSG " + bot + " :").getBytes(StandardCharsets.US_ASCII));
            line.writeBytes(text);
            byte[] all = line.toByteArray();
            client.sendBytes(all.length <= LINE_BYTES ? all : Arrays.copyOf(all, LINE_BYTES));
        }

        /** The texts the bot sent up to its answer to a new numbered unknown command (not included). */
        List<String> untilSentinel() {
            String sentinel = "zz-sentinel-" + bot + "-" + (++sentinels);
            client.privmsg(bot, sentinel);
            List<String> got = client.awaitThrough(l -> fromBot(l) && text(l).contains("\"" + sentinel + "\""), WAIT);
            answers.incrementAndGet();
            return absorb(got.subList(0, got.size() - 1));
        }

        /**
         * Checks each line received and returns the texts the bot sent, noting the {@code hostile} runs they start
         * and end.
         */
        List<String> absorb(List<String> received) {
            List<String> texts = new ArrayList<>();
            for (String l : received) {
                checkLine(l);
                if (fromBot(l)) {
                    String t = text(l);
                    texts.add(t);
                    Matcher m = STARTED.matcher(t);
                    if (m.find()) {
                        running.add("hostile #" + m.group(1) + " [");
                    }
                    if (ENDED.matcher(t).matches() && running.removeIf(t::startsWith)) {
                        assertThat(t).as("a hostile run's end").contains(" · succeeded · ");
                        runs.incrementAndGet();
                    }
                }
            }
            answers.addAndGet(texts.size());
            return texts;
        }

        /** Waits for the final status of every {@code hostile} run started so far. */
        void drain() {
            while (!running.isEmpty()) {
                checks.safeLines("the end of runs " + running, "", absorb(client.awaitThrough(l -> fromBot(l)
                        && ENDED.matcher(text(l)).matches() && running.stream().anyMatch(text(l)::startsWith), WAIT)));
            }
        }

        void checkAnswer(String what, String payload, String message, List<String> texts) {
            String shown = what + ": " + Sanitize.forDisplay(message, 120) + " -> " + texts;
            checks.safeLines(shown, payload, texts);
            if (!expectsAnswer(message)) {
                return;
            }
            List<String> answered = texts.stream().filter(t -> !PROGRESS.matcher(t).find()).toList();
            assertThat(answered).as(shown + ": an answer").isNotEmpty();
            if (arrivesWhole(message) && !tokenizes(message)) {
                assertThat(answered).as(shown + ": one refusal for a line the tokenizer rejects").singleElement()
                        .asString().matches(HostileChecks.REFUSAL);
            }
        }

        /** True when the bot gets {@code message} exactly as written: one line, no NUL, encodable, not cut. */
        boolean arrivesWhole(String message) {
            byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
            return !message.matches("(?s).*[\r\n\u0000].*") && message.equals(new String(utf8, StandardCharsets.UTF_8))
                    && ("PRIVMSG " + bot + " :").length() + utf8.length <= LINE_BYTES;
        }

        void whoami(String when) {
            client.privmsg(bot, "whoami");
            messages.incrementAndGet();
            List<String> texts = absorb(client.awaitThrough(l -> fromBot(l) && text(l).startsWith("you are "),
                    WAIT));
            checks.safeLines("whoami " + when, "", texts);
            assertThat(texts.get(texts.size() - 1)).as(when).contains("irc" + number + ":alice").contains("releng");
        }

        /** The leak runbook fails at its HTTP call: the failure is reported, the secret never. */
        void leak() {
            List<String> texts = new ArrayList<>(send("run leak --msg '$" + HostileInputs.SECRET_ENV + "'"));
            assertThat(texts).anyMatch(t -> t.startsWith("leak #") && t.contains(" started"));
            if (texts.stream().noneMatch(t -> t.contains("failed at step \"call"))) {
                texts.addAll(absorb(client.awaitThrough(l -> fromBot(l) && text(l).contains("failed at step \"call"),
                        WAIT)));
            }
            checks.safeLines("leak", "", texts);
        }

        /** Lines of invalid UTF-8, alone and in a {@code run hostile --msg}, and IRC codes around commands. */
        void rawBytes() {
            for (String hex : List.of("ff", "c0af", "eda080", "f8888080", "80", "e282", "fe")) {
                byte[] b = new byte[hex.length() / 2];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
                }
                ByteArrayOutputStream run = new ByteArrayOutputStream();
                run.writeBytes("run hostile --msg x".getBytes(StandardCharsets.US_ASCII));
                run.writeBytes(b);
                for (byte[] text : List.of(b, run.toByteArray())) {
                    sendLine(text);
                    messages.incrementAndGet();
                    List<String> lines = untilSentinel();
                    checkAnswer("raw " + hex, "", new String(text, StandardCharsets.UTF_8), lines);
                    assertThat(lines).as("raw " + hex).isNotEmpty();
                }
            }
            for (String text : List.of("\u0002whoami\u0002", "\u00034whoami", "\u000fwhoami", "\u0016run hostile",
                    "\u001dop 1\u001d", "\u001fhelp\u001f", "\u0001ACTION run hostile\u0001", "run hostile --msg "
                    + "\u0002x\u0003")) {
                List<String> lines = send(text);
                checkAnswer("irc codes", text, text, lines);
            }
        }

        /** No line from the server may look like a command the client did not get from a real sender. */
        void checkLine(String line) {
            String bare = RawIrcClient.stripTags(line);
            assertThat(bare).as("a well-formed line from the server").matches("^(:\\S+ [A-Z0-9]+ .*|PING .*)$");
            if (bare.startsWith(":" + bot + "!")) {
                assertThat(botGone(line)).as(line).isFalse();
            }
        }

        boolean fromBot(String line) {
            String bare = RawIrcClient.stripTags(line);
            return bare.startsWith(":" + bot + "!") && (bare.contains(" PRIVMSG " + client.nick() + " :")
                    || bare.contains(" NOTICE " + client.nick() + " :"));
        }
    }

    private static boolean tokenizes(String message) {
        try {
            Tokenizer.tokenize(message.strip().startsWith("!") ? message.strip().substring(1) : message.strip());
            return true;
        } catch (UsageException e) {
            return false;
        }
    }

    /**
     * A message the bot must answer: one of its pieces is addressed once the server made each NUL a space, and is not
     * all one CTCP request.
     */
    private static boolean expectsAnswer(String message) {
        return Stream.of(message.split("\r\n|\r|\n", -1)).map(p -> p.replace('\0', ' '))
                .anyMatch(p -> HostileChecks.addressed(p) && !(p.startsWith("\u0001") && p.length() > 1));
    }

    /** A PRIVMSG or NOTICE any of the bot's nicks sent. */
    private boolean fromAnyBot(String line) {
        String bare = RawIrcClient.stripTags(line);
        return bare.matches("^:bd\\d+!\\S+ (PRIVMSG|NOTICE) .*");
    }

    /** A bot's nick quitting, parting or being killed, or an ERROR. */
    private static boolean botGone(String line) {
        String[] w = RawIrcClient.stripTags(line).split(" ");
        return w[0].startsWith(":bd") && w.length > 1 && List.of("QUIT", "PART", "KICK", "KILL").contains(w[1])
                || w[0].equals("ERROR");
    }

    /** The text of a PRIVMSG or NOTICE. */
    private static String text(String line) {
        String bare = RawIrcClient.stripTags(line);
        int at = bare.indexOf(" :", 1);
        return at < 0 ? "" : bare.substring(at + 2);
    }

    /** Waits until bd{@code n} is on the channel (the bot's connectors connect after "ready"). */
    private static void awaitBotJoined(RawIrcClient c, int n) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            c.send("WHO bd" + n);
            String reply = c.await(l -> RawIrcClient.hasNumeric(l, "352") || RawIrcClient.hasNumeric(l, "315"),
                    WAIT);
            if (RawIrcClient.hasNumeric(reply, "352")) {
                c.await(l -> RawIrcClient.hasNumeric(l, "315"), WAIT);
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("bd" + n + " never came online");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private void writeConfig(int port) throws IOException {
        Path runbooks = dir.resolve("config/runbooks");
        Files.createDirectories(runbooks);
        Files.createDirectories(dir.resolve("root"));
        HostileInputIT.writeRunbooks(runbooks, dir.resolve("root"));
        StringBuilder connectors = new StringBuilder();
        List<String> accounts = new ArrayList<>();
        for (int i = 1; i <= CONNECTIONS; i++) {
            connectors.append(String.join("\n",
                    "  - id: irc" + i,
                    "    type: irc",
                    "    server: 127.0.0.1",
                    "    port: " + port,
                    "    tls: false",
                    "    nick: bd" + i,
                    "    channels: [\"" + CHANNEL + "\"]",
                    "    flood: { burst: 20, interval: 200ms }",
                    ""));
            accounts.add("\"irc" + i + ":alice\"");
        }
        Files.writeString(dir.resolve("config/buildduty.yml"), String.join("\n",
                HostileInputIT.botSection(dir, runbooks, "off"),
                "connectors:",
                connectors.toString().stripTrailing(),
                "roles:",
                "  releng: [" + String.join(", ", accounts) + "]",
                HostileInputIT.INVENTORY_AND_CREDENTIALS));
    }
}
