package org.buildduty.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.buildbot.BuildbotSettings;
import org.buildduty.commands.mbs.MbsSettings;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.commands.runbook.RunbookLoader;
import org.buildduty.connectors.console.ConsoleSettings;
import org.buildduty.connectors.irc.IrcConfig;
import org.buildduty.connectors.irc.IrcSettings;
import org.buildduty.connectors.matrix.MatrixSettings;
import org.buildduty.connectors.zulip.ZulipSettings;
import org.buildduty.core.config.Secret;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;

class ConfigLoaderTest {
    /** bot-app runs its tests in its own folder; the shipped configuration is in the repository's config/. */
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    private static final Map<String, String> FULL_ENV = Map.of(
            "IRC_PASSWORD", "irc-s3cr3t-XYZ",
            "MATRIX_TOKEN", "matrix-s3cr3t-XYZ",
            "ZULIP_API_KEY", "zulip-s3cr3t-XYZ",
            "SSH_PASSPHRASE", "ssh-s3cr3t-XYZ",
            "BUILDBOT_PASSWORD", "bb-s3cr3t-XYZ",
            "MBS_TOKEN", "mbs-s3cr3t-XYZ",
            "JENKINS_TOKEN", "jk-s3cr3t-XYZ",
            "KERNELCI_TOKEN", "kci-s3cr3t-XYZ",
            "NEXUS_PASSWORD", "nexus-s3cr3t-XYZ",
            "HOME", "/home/bd");

    @TempDir
    Path tmp;

    @Test
    void shippedDefaultLoadsWithNoEnvironment() {
        BotConfig c = ConfigLoader.load(REPO.resolve("config/buildduty.yml"), Map.of(), REPO.resolve("config"));

        assertThat(c.connectors()).extracting(ConnectorConfig::id).containsExactly("console");
        assertThat(c.connectors().get(0).settings()).isInstanceOf(ConsoleSettings.class);
        assertThat(c.bot().prefix()).isEqualTo("!");
        assertThat(c.bot().nick()).isEqualTo("buildduty");
        assertThat(c.bot().anonymous()).isTrue();
        assertThat(c.bot().journal()).isEqualTo(REPO.resolve("data/buildduty.db"));
        assertThat(c.bot().runbooks()).isEqualTo(REPO.resolve("config/runbooks"));
        assertThat(c.bot().web()).contains(new BotSettings.WebAddress("127.0.0.1", 8080));
        assertThat(c.bot().webUrl()).isEmpty();
        assertThat(c.roles()).isEqualTo(Map.of("releng", List.of()));
        assertThat(c.inventory().hosts()).containsExactly("local1", "local2", "local3");
        assertThat(c.inventory().groups()).isEqualTo(Map.of("local", List.of("local1", "local2", "local3")));
        assertThat(c.inventory().host("local2").orElseThrow().address()).isEqualTo("127.0.0.1");
        assertThat(c.services()).isEqualTo(ServicesConfig.NONE);
        assertThat(c.baseDir()).isEqualTo(REPO.resolve("config"));
    }

    @Test
    void relativePathsResolveAgainstTheConfigurationFilesFolderWhateverTheWorkingDirectory() throws Exception {
        // a configuration kept elsewhere: ./buildduty runs in the checkout, java -jar wherever it is started
        Path elsewhere = Files.createDirectories(tmp.resolve("etc/buildduty"));
        Files.writeString(elsewhere.resolve("bot.yml"), """
                bot: { journal: state/bd.db, runbooks: runbooks }
                connectors: [{id: console, type: console}]
                inventory:
                  ssh: { known_hosts: known_hosts }
                """);
        BotConfig c = ConfigLoader.load(elsewhere.resolve("bot.yml"), Map.of());

        assertThat(c.baseDir()).isEqualTo(elsewhere);
        assertThat(c.bot().journal()).isEqualTo(elsewhere.resolve("state/bd.db"));
        assertThat(c.bot().runbooks()).isEqualTo(elsewhere.resolve("runbooks"));
        assertThat(c.inventory().ssh().knownHosts()).isEqualTo(elsewhere.resolve("known_hosts"));
        // the shipped file, config/buildduty.yml, keeps its journal in data/ beside config/
        BotConfig shipped = ConfigLoader.load(REPO.resolve("config/buildduty.yml"), Map.of());
        assertThat(shipped.bot().journal()).isEqualTo(REPO.resolve("data/buildduty.db"));
        assertThat(shipped.bot().runbooks()).isEqualTo(REPO.resolve("config/runbooks"));
    }

    @Test
    void fullExampleLoadsWithEveryKey() {
        BotConfig c = ConfigLoader.load(REPO.resolve("config/example-full.yml"), FULL_ENV, REPO.resolve("config"));

        assertThat(c.connectors()).extracting(ConnectorConfig::id)
                .containsExactly("console", "libera", "oftc", "corp", "matrix", "zulip");
        assertThat(c.bot().anonymous()).isFalse();
        assertThat(c.bot().webUrl()).contains(URI.create("http://buildduty.example.org:8080"));
        assertThat(c.bot().cluster()).isEqualTo(new ClusterSettings(Optional.empty(), "bd-east",
                Duration.ofSeconds(1), Duration.ofSeconds(10)));

        IrcSettings libera = c.connector("libera").orElseThrow().settings(IrcSettings.class);
        assertThat(libera.server()).isEqualTo("irc.libera.chat");
        assertThat(libera.port()).isEqualTo(6697);
        assertThat(libera.tls()).isTrue();
        assertThat(libera.nick()).isEqualTo("buildduty");
        assertThat(libera.realname()).contains("buildduty release bot");
        assertThat(libera.identity()).isEqualTo(IrcConfig.IdentityMode.ACCOUNT);
        assertThat(libera.channels()).containsExactly("#releng", "#releng-private channelkey");
        IrcSettings.Sasl sasl = libera.sasl().orElseThrow();
        assertThat(sasl.account()).isEqualTo("buildduty");
        assertThat(sasl.password().reveal()).isEqualTo("irc-s3cr3t-XYZ");
        assertThat(sasl.password().source()).isEqualTo("env IRC_PASSWORD");

        IrcSettings oftc = c.connector("oftc").orElseThrow().settings(IrcSettings.class);
        assertThat(oftc.port()).isEqualTo(6667);
        assertThat(oftc.tls()).isFalse();
        assertThat(oftc.nick()).isEqualTo("buildduty");
        assertThat(oftc.sasl()).isEmpty();
        assertThat(oftc.identity()).isEqualTo(IrcConfig.IdentityMode.HOSTMASK);
        assertThat(oftc.flood()).isEqualTo(new IrcSettings.Flood(3, Duration.ofMillis(1500)));
        assertThat(libera.flood()).isEqualTo(IrcSettings.Flood.DEFAULT);
        assertThat(libera.tlsCaFile()).isEmpty();
        assertThat(oftc.tlsCaFile()).isEmpty();

        IrcSettings corp = c.connector("corp").orElseThrow().settings(IrcSettings.class);
        assertThat(corp.tls()).isTrue();
        assertThat(corp.port()).isEqualTo(6697);
        assertThat(corp.tlsCaFile()).contains(REPO.resolve("config/corp-ca.pem"));
        assertThat(corp.channels()).containsExactly("#release");

        MatrixSettings matrix = c.connector("matrix").orElseThrow().settings(MatrixSettings.class);
        assertThat(matrix.homeserver()).isEqualTo(URI.create("https://matrix.example.org"));
        assertThat(matrix.user()).isEqualTo("@buildduty:example.org");
        assertThat(matrix.accessToken().orElseThrow().reveal()).isEqualTo("matrix-s3cr3t-XYZ");
        assertThat(matrix.password()).isEmpty();
        assertThat(matrix.rooms()).containsExactly("!abcdef:example.org", "#releng:example.org");
        assertThat(matrix.allowInvitesFrom()).containsExactly("@alice:example.org");

        ZulipSettings zulip = c.connector("zulip").orElseThrow().settings(ZulipSettings.class);
        assertThat(zulip.site()).isEqualTo(URI.create("https://zulip.example.com"));
        assertThat(zulip.email()).isEqualTo("buildduty-bot@zulip.example.com");
        assertThat(zulip.apiKey().reveal()).isEqualTo("zulip-s3cr3t-XYZ");
        assertThat(zulip.streams()).containsExactly("engineering");

        assertThat(c.roles().get("releng")).containsExactly("libera:alice", "libera:bob",
                "matrix:@alice:example.org", "zulip:alice@example.com", "oftc:alice!*@*.example.org");
        assertThat(c.roles().get("ops")).containsExactly("libera:carol");
        assertThat(c.people()).containsExactly(
                Map.entry("alice", List.of("libera:alice", "matrix:@alice:example.org", "zulip:alice@example.com",
                        "oftc:alice!*@*.example.org")));
        assertThat(c.bot().limits()).isEqualTo(new BotSettings.Limits(30, 3));

        InventoryConfig inv = c.inventory();
        assertThat(inv.ssh().knownHosts()).isEqualTo(REPO.resolve("config/known_hosts"));
        assertThat(inv.ssh().keyFile()).contains(Path.of("/home/bd/.ssh/buildduty_ed25519"));
        assertThat(inv.ssh().user()).contains("buildduty");
        assertThat(inv.ssh().passphrase().orElseThrow().reveal()).isEqualTo("ssh-s3cr3t-XYZ");
        assertThat(inv.ssh().agent()).isFalse();
        assertThat(inv.ssh().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(inv.hosts()).containsExactly("bm01", "bm02", "bastion");
        assertThat(inv.groups()).isEqualTo(Map.of("masters", List.of("bm01", "bm02"),
                "linux-test", List.of("bm01")));
        assertThat(inv.groups().keySet()).containsExactly("masters", "linux-test");
        assertThat(inv.group("masters")).contains(List.of("bm01", "bm02"));
        HostConfig bm02 = inv.host("bm02").orElseThrow();
        assertThat(bm02).isEqualTo(new HostConfig("bm02", "bm02.example.org", 2222, Optional.empty(),
                Optional.of("bastion"), List.of("masters"), Optional.empty()));
        HostConfig bastion = inv.host("bastion").orElseThrow();
        assertThat(bastion.port()).isEqualTo(22);
        assertThat(bastion.user()).contains("jump");
        assertThat(bastion.keyFile()).contains(Path.of("/home/bd/.ssh/bastion_ed25519"));
        assertThat(inv.diskRoots("bm01")).containsExactly("/srv", "/var/log");
        assertThat(inv.diskRoots("bastion")).isEmpty();

        BuildbotSettings bb = c.services().get(BuildbotSettings.class).orElseThrow();
        assertThat(bb.scheduler()).isEqualTo("force");
        assertThat(bb.repositories()).containsExactly(Map.entry("flocker", "https://github.com/ClusterHQ/flocker.git"));
        assertThat(bb.url()).isEqualTo(URI.create("http://buildbot.example.org:8010"));
        assertThat(bb.user()).contains("buildduty");
        assertThat(bb.password().orElseThrow().reveal()).isEqualTo("bb-s3cr3t-XYZ");
        MbsSettings mbs = c.services().get(MbsSettings.class).orElseThrow();
        assertThat(mbs.url()).isEqualTo(URI.create("https://mbs.fedoraproject.org"));
        assertThat(mbs.token().orElseThrow().reveal()).isEqualTo("mbs-s3cr3t-XYZ");
        assertThat(mbs.poll()).isEqualTo(new MbsSettings.Poll(Duration.ofSeconds(30),
                Duration.ofMinutes(2), Duration.ofMinutes(10)));
        assertThat(c.inventory().ssh().keepalive()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.credentials()).containsOnlyKeys("kernelci", "nexus", "buildbot");
        assertThat(c.credentials().get("nexus").secret().reveal()).isEqualTo("nexus-s3cr3t-XYZ");
    }

    /** The team-sized example of docs/first-fleet.md loads, and its runbook folder loads against its inventory. */
    @Test
    void teamExampleLoadsAndItsRunbooksLoadAgainstItsInventory() {
        BotConfig c = ConfigLoader.load(REPO.resolve("config/example-team.yml"),
                Map.of("IRC_PASSWORD", "irc-s3cr3t-XYZ", "HOME", "/home/bd"), REPO.resolve("config"));

        assertThat(c.connectors()).extracting(ConnectorConfig::id).containsExactly("libera");
        assertThat(c.bot().anonymous()).isFalse();
        assertThat(c.roles().get("releng")).containsExactly("libera:alice", "libera:bob", "libera:carol",
                "libera:dave");
        assertThat(c.people()).containsExactly(Map.entry("dave", List.of("libera:dave", "libera:dave-away")));
        InventoryConfig inv = c.inventory();
        assertThat(inv.ssh().knownHosts()).isEqualTo(REPO.resolve("config/known_hosts"));
        assertThat(inv.ssh().user()).contains("buildduty");
        assertThat(inv.group("web")).contains(List.of("web01", "web02", "web03", "web04"));
        assertThat(inv.group("workers")).contains(List.of("worker01", "worker02"));
        assertThat(inv.host("bastion").orElseThrow().port()).isEqualTo(2222);
        assertThat(inv.host("web03").orElseThrow().jump()).contains("bastion");
        assertThat(inv.diskRoots("worker01")).containsExactly("/srv/builds");
        assertThat(c.bot().runbooks()).isEqualTo(REPO.resolve("config/examples/runbooks"));

        List<Runbook> runbooks = RunbookLoader.loadAll(c.bot().runbooks(), RunbookLoader.STANDARD_KINDS, inv);
        assertThat(runbooks).extracting(Runbook::name).containsExactly("rolling-restart");
        OperationPlan plan = runbooks.get(0).plan(Map.of(), inv);
        assertThat(plan.approval().required()).isEqualTo(1);
        assertThat(plan.approval().role()).isEqualTo("releng");
        assertThat(plan.steps()).extracting(StepSpec::name).containsExactly("check the fleet is healthy", "restart");
        StepSpec restart = plan.steps().get(1);
        assertThat(restart.hosts()).containsExactly("web01", "web02", "web03", "web04");
        assertThat(restart.parallel()).isEqualTo(1);
        assertThat(restart.onHostFailure()).isEqualTo(OnHostFailure.STOP);
        assertThat(restart.arg("command")).startsWith("sudo -n systemctl restart 'app' || exit $?\n");
    }

    @Test
    void noToStringShowsASecret() {
        BotConfig c = ConfigLoader.load(REPO.resolve("config/example-full.yml"), FULL_ENV, REPO.resolve("config"));

        List<Object> holders = List.of(c, c.bot(), c.inventory(), c.inventory().ssh(), c.services(),
                c.services().get(BuildbotSettings.class).orElseThrow(),
                c.services().get(MbsSettings.class).orElseThrow(),
                c.connector("libera").orElseThrow(), c.connector("libera").orElseThrow().settings(),
                c.connector("libera").orElseThrow().settings(IrcSettings.class).sasl().orElseThrow(),
                c.connector("matrix").orElseThrow(), c.connector("matrix").orElseThrow().settings(),
                c.connector("zulip").orElseThrow(), c.connector("zulip").orElseThrow().settings(),
                c.credentials().get("kernelci"), c.credentials().get("nexus"), c.credentials().get("buildbot"));
        for (Object o : holders) {
            assertThat(o.toString()).doesNotContain("s3cr3t-XYZ");
        }
        assertThat(c.toString()).contains("Secret[from env IRC_PASSWORD]", "Secret[from env MBS_TOKEN]")
                .contains("libera", "bm02.example.org");
    }

    @Test
    void defaultsWhenSectionsAreLeftOut() {
        BotConfig c = ConfigLoader.parse("t.yml", "connectors: [{id: console, type: console}]\n",
                Map.of("HOME", "/home/bd"), tmp);

        assertThat(c.bot()).isEqualTo(new BotSettings("!", tmp.resolve("data/buildduty.db"),
                tmp.resolve("runbooks"), Optional.of(new BotSettings.WebAddress("127.0.0.1", 8080)), true,
                Optional.empty(), "buildduty"));
        assertThat(c.roles()).isEmpty();
        assertThat(c.people()).isEmpty();
        assertThat(c.bot().limits()).isEqualTo(new BotSettings.Limits(20, 5));
        assertThat(c.inventory().hosts()).isEmpty();
        assertThat(c.inventory().groups()).isEmpty();
        assertThat(c.inventory().ssh().knownHosts()).isEqualTo(Path.of("/home/bd/.ssh/known_hosts"));
        assertThat(c.inventory().ssh().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.services()).isEqualTo(ServicesConfig.NONE);
    }

    @Test
    void webOffAndIpv6AndExplicitValues() {
        BotConfig off = ConfigLoader.parse("t.yml", """
                bot: { web: "off", prefix: "?", nick: relbot, anonymous: false, journal: /var/lib/bd/j.db }
                connectors: [{id: irc1, type: irc, server: irc.example.org}]
                """, Map.of(), tmp);
        assertThat(off.bot().web()).isEmpty();
        assertThat(off.bot().prefix()).isEqualTo("?");
        assertThat(off.bot().anonymous()).isFalse();
        assertThat(off.bot().journal()).isEqualTo(Path.of("/var/lib/bd/j.db"));
        assertThat(off.connector("irc1").orElseThrow().settings(IrcSettings.class).nick()).isEqualTo("relbot");

        BotConfig v6 = ConfigLoader.parse("t.yml", """
                bot: { web: "[::1]:0" }
                connectors: [{id: console, type: console}]
                """, Map.of(), tmp);
        assertThat(v6.bot().web()).contains(new BotSettings.WebAddress("::1", 0));
        assertThat(v6.bot().web().orElseThrow()).hasToString("[::1]:0");
    }

    @Test
    void secretFromFileStripsTheTrailingNewlineAndExpandsHome() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve("irc.pw"), "s3cr3t-XYZ\n");
        Files.writeString(tmp.resolve("mbs.token"), "tok en\r\n\n");
        BotConfig c = ConfigLoader.parse("t.yml", """
                connectors:
                  - id: libera
                    type: irc
                    server: irc.libera.chat
                    sasl: { account: bd, password_file: ~/irc.pw }
                services:
                  mbs: { url: "https://mbs.example.org", token_file: mbs.token }
                """, Map.of("HOME", home.toString()), tmp);

        Secret pw = c.connector("libera").orElseThrow().settings(IrcSettings.class).sasl().orElseThrow().password();
        assertThat(pw.reveal()).isEqualTo("s3cr3t-XYZ");
        assertThat(pw.source()).isEqualTo("file " + home.resolve("irc.pw"));
        assertThat(pw).hasToString("Secret[from file " + home.resolve("irc.pw") + "]");
        assertThat(c.services().get(MbsSettings.class).orElseThrow().token().orElseThrow().reveal())
                .isEqualTo("tok en");
        assertThat(c.toString()).doesNotContain("s3cr3t-XYZ");
    }

    @Test
    void zulipSettingsFromAZuliprc() throws Exception {
        Path rc = tmp.resolve("zuliprc");
        Files.writeString(rc, "[api]\nemail=bot@zulip.example.com\nkey = s3cr3t-XYZ\nsite=https://zulip.example.com\n");
        BotConfig c = ConfigLoader.parse("t.yml", """
                connectors:
                  - { id: zulip, type: zulip, zuliprc: zuliprc, streams: [engineering, ops] }
                """, Map.of(), tmp);

        ZulipSettings z = c.connector("zulip").orElseThrow().settings(ZulipSettings.class);
        assertThat(z.site()).isEqualTo(URI.create("https://zulip.example.com"));
        assertThat(z.email()).isEqualTo("bot@zulip.example.com");
        assertThat(z.apiKey().reveal()).isEqualTo("s3cr3t-XYZ");
        assertThat(z.apiKey()).hasToString("Secret[from zuliprc " + rc + "]");
        assertThat(z.zuliprc()).contains(rc);
        assertThat(z.streams()).containsExactly("engineering", "ops");
        assertThat(c.toString()).doesNotContain("s3cr3t-XYZ");
    }

    @Test
    void matrixMayLogInWithAPasswordInstead() {
        BotConfig c = ConfigLoader.parse("t.yml", """
                connectors:
                  - id: mx
                    type: matrix
                    homeserver: http://127.0.0.1:8008
                    user: "@bd:localhost"
                    password_env: MX_PW
                """, Map.of("MX_PW", "s3cr3t-XYZ"), tmp);

        MatrixSettings m = c.connector("mx").orElseThrow().settings(MatrixSettings.class);
        assertThat(m.accessToken()).isEmpty();
        assertThat(m.password().orElseThrow().reveal()).isEqualTo("s3cr3t-XYZ");
        assertThat(m.rooms()).isEmpty();
        assertThat(m.toString()).doesNotContain("s3cr3t-XYZ");
    }
}
