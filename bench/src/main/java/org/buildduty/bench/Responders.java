package org.buildduty.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.buildduty.connectors.testing.IrcNetwork;

/**
 * Starts the responders {@link IrcRoundTripBench} measures, on the network's Libera-like port, and returns them as
 * {@link Target}s once the responder has joined its own channel (which is how the bench sees it is ready) and its
 * timing client, in that channel too, watches the responder's private replies. Every request is a private message.
 *
 * <p>The peer bots come from their own packages: errbot and Limnoria from Debian ({@code apt-get install errbot
 * limnoria}), hubot 3.5 with hubot-irc from npm ({@code npm ci} in {@code bench/peers/hubot}). A missing one is
 * {@link Optional#empty()} from its {@code find} method, with the line to print.
 */
final class Responders {
    static final Duration JOIN_WAIT = Duration.ofSeconds(60);
    private static final String ERRBOT_CONFIG = "/errbot/config.py.in";
    private static final String LIMNORIA_CONFIG = "/limnoria/limbot.conf.in";
    private static final String HUBOT_ADAPTER = "node_modules/hubot-irc/src/irc.js";

    private Responders() {
    }

    /** The raw-socket echo (the physical limit), nick rawecho, in #raw. */
    static Target rawEcho(IrcNetwork net) throws IOException {
        TimingClient client = joined(net, "rtraw", "#raw", null, null);
        RawEchoPeer peer = RawEchoPeer.start(net.floodPort(), "rawecho", "#raw");
        return started(new Target("raw echo (the limit)", "rawecho", "!echo", true, client, peer), client, "rawecho",
                "#raw", null);
    }

    /** The executable {@code name} on the PATH, if installed. */
    static Optional<Path> onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * errbot (IRC backend), nick errbot, in #errbot, set up in {@code dir}: config.py from the bench's template (no
     * flood sleeps, only core plugins), and a metadata-only deepmerge 0.1.0 shim on PYTHONPATH for Debian's
     * version-check bug.
     */
    static Target errbot(IrcNetwork net, Path errbot, Path dir) throws IOException {
        Path d = dir.toAbsolutePath();
        Files.createDirectories(d.resolve("data"));
        Files.createDirectories(d.resolve("plugins"));
        Path shim = d.resolve("shim/deepmerge-0.1.0.dist-info");
        Files.createDirectories(shim);
        Files.writeString(shim.resolve("METADATA"), "Metadata-Version: 2.1\nName: deepmerge\nVersion: 0.1.0\n");
        Files.writeString(d.resolve("config.py"), template(ERRBOT_CONFIG, d, net, "#errbot", "errbot"));
        return peer(net, "errbot " + debianVersion("errbot"), "rterr", "errbot", "#errbot",
                List.of(errbot.toString(), "-c", d.resolve("config.py").toString()), d,
                Map.of("PATH", "/usr/bin:/bin", "HOME", d.toString(), "LANG", "C.UTF-8", "PYTHONPATH",
                        d.resolve("shim").toString()), d.resolve("errbot.out"));
    }

    /**
     * Limnoria (Debian's {@code supybot}), nick limbot, in #limbot, set up in {@code dir} from the bench's registry
     * template (no output throttle, no command-flood ignore: every client shares 127.0.0.1). Limnoria rewrites that
     * file on exit, so it is written anew for every run. As root it runs as nobody (setpriv), as Limnoria wants:
     * {@code dir} and its parent are then made nobody's and traversable.
     */
    static Target limnoria(IrcNetwork net, Path supybot, Path dir) throws IOException {
        Path d = dir.toAbsolutePath();
        for (String sub : List.of("conf", "data/tmp", "web", "backup", "logs", "plugins")) {
            Files.createDirectories(d.resolve(sub));
        }
        Path conf = d.resolve("limbot.conf");
        Files.writeString(conf, template(LIMNORIA_CONFIG, d, net, "#limbot", "limbot"));
        List<String> argv = new ArrayList<>();
        if (isRoot()) {
            Files.setPosixFilePermissions(d.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            UserPrincipalLookupService users = d.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal nobody = users.lookupPrincipalByName("nobody");
            GroupPrincipal nogroup = users.lookupPrincipalByGroupName("nogroup");
            try (Stream<Path> paths = Files.walk(d)) {
                for (Path p : paths.toList()) {
                    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
                    view.setOwner(nobody);
                    view.setGroup(nogroup);
                }
            }
            argv.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        }
        argv.addAll(List.of(supybot.toString(), conf.toString()));
        return peer(net, "Limnoria " + debianVersion("limnoria"), "rtlim", "limbot", "#limbot", argv, d,
                Map.of("PATH", "/usr/bin:/bin", "HOME", d.toString(), "LANG", "C.UTF-8"), d.resolve("limnoria.out"));
    }

    /**
     * The hubot installation in {@code hubotDir} ({@code npm ci} there: hubot 3.5.0, hubot-irc 0.4.2 and its adapter
     * compiled by CoffeeScript 1 to {@code irc.js}), if present and node is on the PATH.
     */
    static Optional<Path> hubotInstalled(Path hubotDir) {
        Path d = hubotDir.toAbsolutePath();
        return Files.isRegularFile(d.resolve(HUBOT_ADAPTER)) && onPath("node").isPresent() ? Optional.of(d)
                : Optional.empty();
    }

    /**
     * hubot with the IRC adapter, nick hubot, in #hubot, run from {@code hubotDir} (it loads {@code scripts/echo.js}
     * from there), its output in {@code dir}. {@code -a irc/src/irc.js} loads the CoffeeScript-1 build of the adapter
     * (hubot 3 cannot use the CoffeeScript-2 one), {@code -d} starts no HTTP server.
     */
    static Target hubot(IrcNetwork net, Path hubotDir, Path dir) throws IOException {
        Path d = dir.toAbsolutePath();
        Files.createDirectories(d);
        Path h = hubotDir.toAbsolutePath();
        Map<String, String> env = new HashMap<>(Map.of("PATH", h.resolve("node_modules/.bin") + ":/usr/bin:/bin",
                "HOME", d.toString(), "LANG", "C.UTF-8", "HUBOT_LOG_LEVEL", "info"));
        env.putAll(Map.of("HUBOT_IRC_SERVER", "127.0.0.1", "HUBOT_IRC_PORT", Integer.toString(net.floodPort()),
                "HUBOT_IRC_ROOMS", "#hubot", "HUBOT_IRC_NICK", "hubot", "HUBOT_IRC_USERNAME", "hubot",
                "HUBOT_IRC_REALNAME", "hubot"));
        String name = "hubot " + npmVersion(h, "hubot") + " + hubot-irc " + npmVersion(h, "hubot-irc");
        return peer(net, name, "rthub", "hubot", "#hubot", List.of(h.resolve("node_modules/.bin/hubot").toString(),
                "-a", "irc/src/irc.js", "-n", "hubot", "-d"), h, env, d.resolve("hubot.out"));
    }

    /**
     * buildduty itself in #bot, as users start it ({@code ./buildduty --config FILE}: the launcher's JVM options), or
     * with {@code direct} as {@code java -jar JAR --config FILE} and no JVM options; on the java running the bench.
     * It prints the JVM options the bot runs with. It logs in with SASL as {@code botAccount}; the timing client is
     * logged in as {@code clientAccount}, which holds role releng. With {@code floodIntervalMs > 0} its output pace is
     * {@code flood: {burst: 4, interval: floodIntervalMs}}, otherwise the default.
     */
    static Target buildduty(IrcNetwork net, Path jar, boolean direct, Path dir, String botAccount, String botPassword,
            String clientAccount, String clientPassword, long floodIntervalMs) throws IOException {
        TimingClient client = joined(net, clientAccount, "#bot", clientAccount, clientPassword);
        Path d = dir.toAbsolutePath();
        Files.createDirectories(d.resolve("runbooks"));
        Path config = d.resolve("buildduty.yml");
        List<String> lines = new ArrayList<>(ircConfigHead(botAccount, d, "buildduty.db", "bench", net.floodPort()));
        lines.addAll(List.of(
                "    sasl: { account: " + botAccount + ", password_env: BENCH_IRC_PASSWORD }",
                "    identity: account",
                "    channels: [\"#bot\"]",
                floodIntervalMs > 0 ? "    flood: { burst: 4, interval: " + floodIntervalMs + "ms }" : "",
                "roles:",
                "  releng: [\"bench:" + clientAccount + "\"]",
                ""));
        Files.writeString(config, String.join("\n", lines));
        ChildProcess p = ChildProcess.start("buildduty", direct ? botCommand(jar, config) : launcherCommand(config), d,
                direct ? botEnv(d, botPassword) : launcherEnv(d, botPassword), d.resolve("bot.out"));
        Target t = started(new Target("buildduty", botAccount, "!whoami", false, client, p), client, botAccount,
                "#bot", p);
        List<String> jvm = ProcStats.jvmOptions(p.pid());
        System.out.println("buildduty: " + (direct ? "java -jar " + jar : "./buildduty") + ", JVM options: "
                + (jvm.isEmpty() ? "(none)" : String.join(" ", jvm)));
        return t;
    }

    /**
     * The first lines of a bench bot's configuration: {@code nick} with prefix {@code !}, its journal {@code dir/db}
     * and runbooks {@code dir/runbooks}, no web page, then {@code botExtra} lines of the bot section, and the first
     * connector: {@code id}, IRC on 127.0.0.1:{@code port} without TLS, as {@code nick}. The caller adds the rest.
     */
    static List<String> ircConfigHead(String nick, Path dir, String db, String id, int port, String... botExtra) {
        List<String> lines = new ArrayList<>(List.of("bot:", "  prefix: \"!\"", "  nick: " + nick,
                "  journal: " + dir.resolve(db), "  runbooks: " + dir.resolve("runbooks"), "  web: \"off\""));
        lines.addAll(List.of(botExtra));
        lines.addAll(List.of("connectors:", "  - id: " + id, "    type: irc", "    server: 127.0.0.1",
                "    port: " + port, "    tls: false", "    nick: " + nick));
        return lines;
    }

    /** {@code java -jar JAR --config FILE}, with the java running the bench. */
    static List<String> botCommand(Path jar, Path config) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-jar", jar.toAbsolutePath().toString(), "--config", config.toString());
    }

    /**
     * {@code ./buildduty --config FILE}: the bot as a user starts it, with the launcher's JVM options (its default
     * heap, then {@code JAVA_OPTS}), on the java running the bench (the launcher's {@code JAVA_HOME}). The launcher
     * runs the checkout's {@code bot-app/target/buildduty.jar} (rebuilding it if a source is newer) and execs java,
     * so the child's pid is the bot's. Run from the checkout's root, as {@code bench/run} does.
     */
    static List<String> launcherCommand(Path config) {
        Path launcher = Path.of("buildduty").toAbsolutePath();
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException("no launcher at " + launcher + "; run the bench from the checkout's root");
        }
        return List.of(launcher.toString(), "--config", config.toString());
    }

    /**
     * {@link #botEnv} plus what the launcher needs: {@code JAVA_HOME} = the bench's java, and the bench's own
     * {@code JAVA_OPTS} if set (the launcher puts them after its defaults).
     */
    static Map<String, String> launcherEnv(Path dir, String ircPassword) {
        Map<String, String> env = botEnv(dir, ircPassword);
        env.put("JAVA_HOME", System.getProperty("java.home"));
        String opts = System.getenv("JAVA_OPTS");
        if (opts != null) {
            env.put("JAVA_OPTS", opts);
        }
        return env;
    }

    /**
     * The bot's environment: PATH, HOME = {@code dir}, its log file in {@code dir}, the IRC password (if any) in
     * BENCH_IRC_PASSWORD, and BENCH_BOT_JAVA_OPTS as JAVA_TOOL_OPTIONS.
     */
    static Map<String, String> botEnv(Path dir, String ircPassword) {
        Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "HOME", dir.toString(), "LANG", "C.UTF-8", "BUILDDUTY_LOG_FILE", dir.resolve("bot.log").toString()));
        if (ircPassword != null) {
            env.put("BENCH_IRC_PASSWORD", ircPassword);
        }
        String opts = System.getenv("BENCH_BOT_JAVA_OPTS");
        if (opts != null) {
            env.put("JAVA_TOOL_OPTIONS", opts);
        }
        return env;
    }

    static TimingClient joined(IrcNetwork net, String nick, String channel, String account, String password)
            throws IOException {
        TimingClient c = TimingClient.connect(net.floodPort(), nick, account, password);
        c.join(channel);
        return c;
    }

    /**
     * A peer bot process answering {@code !echo TOKEN} as {@code nick}: its timing client {@code clientNick} joins
     * {@code channel}, then the process starts ({@code argv} in {@code cwd}, exactly {@code env}, output to
     * {@code out}) and must join it too.
     */
    private static Target peer(IrcNetwork net, String name, String clientNick, String nick, String channel,
            List<String> argv, Path cwd, Map<String, String> env, Path out) throws IOException {
        TimingClient client = joined(net, clientNick, channel, null, null);
        ChildProcess p;
        try {
            p = ChildProcess.start(nick, argv, cwd, env, out);
        } catch (IOException e) {
            client.close();
            throw e;
        }
        return started(new Target(name, nick, "!echo", true, client, p), client, nick, channel, p);
    }

    /** A config template from the bench's resources with @DIR@, @PORT@ (the flood port), @CHANNEL@, @NICK@ set. */
    private static String template(String resource, Path dir, IrcNetwork net, String channel, String nick)
            throws IOException {
        return ChildProcess.resource(resource).replace("@DIR@", dir.toString())
                .replace("@PORT@", Integer.toString(net.floodPort())).replace("@CHANNEL@", channel)
                .replace("@NICK@", nick);
    }

    private static boolean isRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    /**
     * Waits until {@code nick} joins {@code channel}, then has the client watch its private replies and returns the
     * target; if it never joins, closes the target (client and responder) and throws with the responder's output.
     */
    private static Target started(Target target, TimingClient client, String nick, String channel, ChildProcess p) {
        long t0 = System.nanoTime();
        try {
            client.await(l -> l.startsWith(":" + nick + "!") && l.contains(" JOIN ") && l.contains(channel),
                    JOIN_WAIT);
        } catch (IllegalStateException e) {
            target.close();
            throw new IllegalStateException(nick + " did not join " + channel + " within " + JOIN_WAIT.toSeconds()
                    + " s" + (p == null ? "" : (p.alive() ? "" : " (exited)") + "; its output:\n" + p.tail(3000)), e);
        }
        System.out.printf("%s joined %s after %d ms%n", nick, channel, (System.nanoTime() - t0) / 1_000_000);
        client.watch(nick, client.nick());
        return target;
    }

    private static String debianVersion(String pkg) {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f", "${Version}", pkg).redirectErrorStream(true)
                    .start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 && !v.isEmpty() ? v.replaceAll("[+-][^.]*$", "") : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The version in {@code node_modules/PKG/package.json} under {@code dir}, or "". */
    private static String npmVersion(Path dir, String pkg) {
        try {
            Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(Files.readString(dir.resolve("node_modules").resolve(pkg).resolve("package.json")));
            return m.find() ? m.group(1) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
