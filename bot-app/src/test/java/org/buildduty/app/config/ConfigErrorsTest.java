package org.buildduty.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.mbs.MbsSettings;
import org.buildduty.core.config.ConfigException;

/** Each kind of mistake gives exactly one {@code file:line: field: message} line. */
class ConfigErrorsTest {
    private static final String CONSOLE = "connectors: [{id: console, type: console}]\n";
    private static final String IRC_KEYS =
            "channels, flood, id, identity, nick, port, realname, sasl, server, tls, tls_ca_file, type";

    @TempDir
    Path tmp;

    private List<String> errors(String yaml) {
        return errors(yaml, Map.of());
    }

    private List<String> errors(String yaml, Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse("t.yml", yaml, env, tmp));
        assertThat(e).as("expected a ConfigException").isNotNull();
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.errors()));
        return e.errors();
    }

    @Test
    void aYamlSyntaxErrorKeepsTheParsersProblemAndColumn() {
        assertThat(errors(CONSOLE + "inventory:\n  hosts:\n    web1: { address: 10.0.0.1\n    web2: {}\n"))
                .containsExactly("t.yml:5: YAML syntax error at column 9: expected ',' or '}', but got :"
                        + " (while parsing a flow mapping at line 4, column 11)");
        assertThat(errors("bot:\n  prefix: \"!\n")).containsExactly("t.yml:3: YAML syntax error at column 1:"
                + " found unexpected end of stream (while scanning a quoted scalar at line 2, column 11)");
    }

    @Test
    void unknownTopLevelKey() {
        assertThat(errors(CONSOLE + "colour: blue\n")).containsExactly(
                "t.yml:2: colour: unknown key (known: bot, connectors, credentials, inventory, people, roles, "
                        + "services)");
    }

    @Test
    void unknownNestedKeys() {
        assertThat(errors("""
                bot:
                  prefix: "!"
                  colour: blue
                connectors:
                  - id: libera
                    type: irc
                    server: irc.libera.chat
                    chanels: ["#a"]
                    sasl: { account: bd, password_env: PW, mech: plain }
                """, Map.of("PW", "x"))).containsExactly(
                "t.yml:3: bot.colour: unknown key (known: anonymous, ha, instance, journal, journal_password_env, "
                + "journal_password_file, max_live_operations, max_pending_approvals, nick, prefix, "
                + "private_approvals, retention, runbooks, web, web_token_env, web_token_file, web_url)",
                "t.yml:8: connectors[0].chanels: unknown key - did you mean \"channels\"? (known: " + IRC_KEYS + ")",
                "t.yml:9: connectors[0].sasl.mech: unknown key (known: account, password_env, password_file)");
    }

    @Test
    void unknownKeyOfAConsoleConnector() {
        assertThat(errors("connectors:\n  - id: console\n    type: console\n    server: x\n")).containsExactly(
                "t.yml:4: connectors[0].server: unknown key (known: id, type)");
    }

    @Test
    void missingConnectorsAndMissingConnectorId() {
        assertThat(errors("bot: {}\n")).containsExactly("t.yml:1: connectors: missing");
        assertThat(errors("connectors:\n  - type: console\n")).containsExactly("t.yml:2: connectors[0].id: missing");
        assertThat(errors("connectors:\n  - id: console\n")).containsExactly("t.yml:2: connectors[0].type: missing");
        assertThat(errors("connectors: []\n")).containsExactly("t.yml:1: connectors: at least one connector is needed"
                + " (the console connector: {id: console, type: console})");
    }

    @Test
    void duplicateAndMalformedConnectorIds() {
        assertThat(errors("""
                connectors:
                  - id: console
                    type: console
                  - id: console
                    type: irc
                    server: irc.example.org
                  - id: Libera
                    type: irc
                    server: irc.example.org
                """)).containsExactly(
                "t.yml:4: connectors[1].id: duplicate connector id \"console\" (first at line 2)",
                "t.yml:7: connectors[2].id: \"Libera\" is not a connector id ([a-z][a-z0-9_-]*)");
    }

    @Test
    void badEnumValues() {
        assertThat(errors("""
                connectors:
                  - id: chat
                    type: slack
                  - id: libera
                    type: irc
                    server: irc.libera.chat
                    identity: nickname
                """)).containsExactly(
                "t.yml:3: connectors[0].type: \"slack\" is not one of: console, irc, matrix, zulip",
                "t.yml:7: connectors[1].identity: \"nickname\" is not one of: account, hostmask");
    }

    @Test
    void aTlsCaFileNeedsTls() {
        assertThat(errors("""
                connectors:
                  - id: corp
                    type: irc
                    server: irc.corp.example.org
                    tls: false
                    tls_ca_file: corp-ca.pem
                """)).containsExactly(
                "t.yml:6: connectors[0].tls_ca_file: needs tls: true (the CAs are for checking the server's TLS "
                        + "certificate)");
    }

    @Test
    void floodBudgetOutOfRange() {
        assertThat(errors("""
                connectors:
                  - id: libera
                    type: irc
                    server: irc.libera.chat
                    flood: { burst: 0, interval: 50ms, rate: 2 }
                """)).containsExactly(
                "t.yml:5: connectors[0].flood.rate: unknown key (known: burst, interval)",
                "t.yml:5: connectors[0].flood.burst: burst 0 is out of range 1-20",
                "t.yml:5: connectors[0].flood.interval: interval must be from 200ms to 10s");
    }

    @Test
    void badPortAndBadValueTypes() {
        assertThat(errors("""
                connectors:
                  - id: libera
                    type: irc
                    server: irc.libera.chat
                    port: 66x7
                    tls: yes
                    channels: {releng: yes}
                  - id: oftc
                    type: irc
                    server: irc.oftc.net
                    port: 70000
                    nick: [a, b]
                """)).containsExactly(
                "t.yml:5: connectors[0].port: not a whole number: \"66x7\"",
                "t.yml:6: connectors[0].tls: expected true or false, not \"yes\"",
                "t.yml:7: connectors[0].channels: expected a list",
                "t.yml:11: connectors[1].port: port 70000 is out of range 1-65535",
                "t.yml:12: connectors[1].nick: expected a single value");
    }

    @Test
    void missingRequiredFieldsOfEachType() {
        assertThat(errors("""
                connectors:
                  - id: libera
                    type: irc
                    sasl: {}
                  - id: mx
                    type: matrix
                  - id: zulip
                    type: zulip
                """)).containsExactly(
                "t.yml:2: connectors[0].server: missing",
                "t.yml:4: connectors[0].sasl.account: missing",
                "t.yml:4: connectors[0].sasl.password_env: missing (or password_file)",
                "t.yml:5: connectors[1].homeserver: missing",
                "t.yml:5: connectors[1].user: missing",
                "t.yml:5: connectors[1].access_token_env: missing (or access_token_file; "
                        + "or password_env/password_file to log in)",
                "t.yml:7: connectors[2].site: missing",
                "t.yml:7: connectors[2].email: missing",
                "t.yml:7: connectors[2].api_key_env: missing (or api_key_file)");
    }

    @Test
    void badConnectorValues() {
        assertThat(errors("""
                connectors:
                  - id: libera
                    type: irc
                    server: irc.libera.chat
                    channels: [releng]
                  - id: mx
                    type: matrix
                    homeserver: matrix.example.org
                    user: buildduty
                    access_token_env: T
                    rooms: ["general"]
                """, Map.of("T", "t"))).containsExactly(
                "t.yml:5: connectors[0].channels[0]: \"releng\" is not a channel (\"#name\", optionally followed "
                        + "by a key)",
                "t.yml:8: connectors[1].homeserver: \"matrix.example.org\" is not an http(s) URL",
                "t.yml:9: connectors[1].user: \"buildduty\" is not a Matrix user id (@name:server)",
                "t.yml:11: connectors[1].rooms[0]: \"general\" is not a room id (!id:server) or alias "
                        + "(#name:server)");
    }

    @Test
    void bareNickAsIdentity() {
        assertThat(errors("""
                connectors: [{id: libera, type: irc, server: irc.libera.chat}]
                roles:
                  releng: [alice]
                """)).containsExactly(
                "t.yml:3: roles.releng[0]: \"alice\" is not <connector>:<principal> "
                        + "(an identity is never a bare nick)");
    }

    @Test
    void anyoneIsNotARoleName() {
        assertThat(errors(CONSOLE + """
                roles:
                  anyone: ["console:local"]
                """)).containsExactly(
                "t.yml:3: roles.anyone: \"anyone\" is not a role name: a runbook's role: anyone means every identity");
    }

    @Test
    void roleNamingAnUnknownConnector() {
        assertThat(errors("""
                connectors: [{id: libera, type: irc, server: irc.libera.chat}, {id: console, type: console}]
                roles:
                  releng: ["libera:alice", "slack:bob"]
                """)).containsExactly(
                "t.yml:3: roles.releng[1]: \"slack:bob\" names no configured connector \"slack\" "
                        + "(connectors: console, libera)");
    }

    @Test
    void identitiesMustFitTheirConnector() {
        assertThat(errors("""
                connectors:
                  - {id: libera, type: irc, server: irc.libera.chat}
                  - {id: oftc, type: irc, server: irc.oftc.net, identity: hostmask}
                  - {id: mx, type: matrix, homeserver: "https://m.org", user: "@b:m.org", access_token_env: T}
                  - {id: zulip, type: zulip, site: "https://z.org", email: b@z.org, api_key_env: T}
                roles:
                  releng:
                    - "libera:alice!*@*"
                    - "oftc:alice"
                    - "oftc:alice!*@host?.example.org"
                    - "mx:alice"
                    - "zulip:alice"
                """, Map.of("T", "t"))).containsExactly(
                "t.yml:8: roles.releng[0]: \"libera:alice!*@*\" is not a services account "
                        + "(connector libera uses identity: account)",
                "t.yml:9: roles.releng[1]: \"oftc:alice\" is not a nick!user@host mask "
                        + "(connector oftc uses identity: hostmask)",
                "t.yml:11: roles.releng[3]: \"mx:alice\" is not a Matrix user id (mx:@name:server)",
                "t.yml:12: roles.releng[4]: \"zulip:alice\" is not a Zulip email (zulip:name@example.com)");
    }

    @Test
    void aHostmaskRoleEntryNeedsAConcreteHost() {
        assertThat(errors("""
                connectors:
                  - {id: oftc, type: irc, server: irc.oftc.net, identity: hostmask}
                roles:
                  releng:
                    - "oftc:alice!*@*"
                    - "oftc:*!*@*.*"
                    - "oftc:alice!*@alice.example.org"
                    - "oftc:*!*@*.example.org"
                """)).containsExactly(
                "t.yml:5: roles.releng[0]: \"oftc:alice!*@*\" needs a concrete host part (not only * and ?): "
                        + "anyone can take a nick or an ident",
                "t.yml:6: roles.releng[1]: \"oftc:*!*@*.*\" needs a concrete host part (not only * and ?): "
                        + "anyone can take a nick or an ident");
    }

    @Test
    void peopleEntriesAreIdentitiesAsInRoles() {
        assertThat(errors("""
                connectors:
                  - {id: libera, type: irc, server: irc.libera.chat}
                  - {id: oftc, type: irc, server: irc.oftc.net, identity: hostmask}
                people:
                  alice: [alice, "libera:alice", "oftc:alice!*@*", "slack:alice"]
                  "bad name": ["libera:x"]
                  bob: "libera:bob"
                """)).containsExactly(
                "t.yml:5: people.alice[0]: \"alice\" is not <connector>:<principal> (an identity is never a bare nick)",
                "t.yml:5: people.alice[2]: \"oftc:alice!*@*\" needs a concrete host part (not only * and ?): "
                        + "anyone can take a nick or an ident",
                "t.yml:5: people.alice[3]: \"slack:alice\" names no configured connector \"slack\" "
                        + "(connectors: libera, oftc)",
                "t.yml:6: people.bad name: \"bad name\" is not a person's name ([A-Za-z][A-Za-z0-9_.-]*)");
    }

    @Test
    void anIdentityBelongsToOnePerson() {
        assertThat(errors("""
                connectors: [{id: libera, type: irc, server: irc.libera.chat}]
                people:
                  alice: ["libera:alice", "libera:shared"]
                  bob:
                    - "libera:bob"
                    - "libera:shared"
                """)).containsExactly(
                "t.yml:6: people.bob[1]: \"libera:shared\" is already listed under alice (an identity belongs to "
                        + "one person)");
    }

    @Test
    void missingEnvironmentVariable() {
        String yaml = """
                connectors:
                  - id: libera
                    type: irc
                    server: irc.libera.chat
                    sasl: { account: bd, password_env: IRC_PASSWORD }
                """;
        assertThat(errors(yaml)).containsExactly(
                "t.yml:5: connectors[0].sasl.password_env: environment variable IRC_PASSWORD is not set");
        assertThat(errors(yaml, Map.of("IRC_PASSWORD", ""))).containsExactly(
                "t.yml:5: connectors[0].sasl.password_env: environment variable IRC_PASSWORD is empty");
    }

    @Test
    void literalSecretsInTheFile() {
        List<String> errors = errors("""
                connectors:
                  - id: libera
                    type: irc
                    server: irc.libera.chat
                    sasl: { account: bd, password: s3cr3t-XYZ }
                  - {id: mx, type: matrix, homeserver: "https://m.org", user: "@b:m.org", access_token: s3cr3t-XYZ}
                services:
                  mbs: { url: "https://mbs.example.org", token: s3cr3t-XYZ }
                """);
        assertThat(errors).containsExactly(
                "t.yml:5: connectors[0].sasl.password: secrets are never in the file: use password_env or "
                        + "password_file",
                "t.yml:6: connectors[1].access_token: secrets are never in the file: use access_token_env or "
                        + "access_token_file",
                "t.yml:8: services.mbs.token: secrets are never in the file: use token_env or token_file");
        assertThat(String.join("\n", errors)).doesNotContain("s3cr3t-XYZ");
    }

    @Test
    void secretFilesThatCannotBeUsed() throws Exception {
        Files.writeString(tmp.resolve("empty.pw"), "\n");
        assertThat(errors("""
                connectors:
                  - id: libera
                    type: irc
                    server: irc.libera.chat
                    sasl: { account: bd, password_file: nowhere.pw }
                services:
                  buildbot: { url: "http://bb:8010", user: bd, password_file: empty.pw }
                  mbs: { url: "https://mbs.example.org", token_env: T, token_file: empty.pw }
                """, Map.of("T", "t"))).containsExactly(
                "t.yml:5: connectors[0].sasl.password_file: cannot read " + tmp.resolve("nowhere.pw")
                        + ": no such file",
                "t.yml:7: services.buildbot.password_file: file " + tmp.resolve("empty.pw") + " is empty",
                "t.yml:8: services.mbs.token_file: give token_env or token_file, not both");
    }

    @Test
    void jumpToAnUnknownHostAndJumpCycles() {
        assertThat(errors(CONSOLE + """
                inventory:
                  hosts:
                    bm02: { address: bm02.example.org, jump: bastoin }
                    a: { address: a.example.org, jump: b }
                    b: { address: b.example.org, jump: c }
                    c: { address: c.example.org, jump: a }
                    d: { address: d.example.org, jump: a }
                    e: { address: e.example.org, jump: e }
                """)).containsExactly(
                "t.yml:4: inventory.hosts.bm02.jump: no host \"bastoin\" in the inventory",
                "t.yml:5: inventory.hosts.a.jump: jump hosts form a cycle: a -> b -> c -> a",
                "t.yml:9: inventory.hosts.e.jump: a host cannot jump through itself");
    }

    @Test
    void hostNamesAddressesAndGroups() {
        assertThat(errors(CONSOLE + """
                inventory:
                  hosts:
                    -bad: { address: x.example.org }
                    bm01: { port: 22, groups: [masters, "-x"] }
                    bm02: { address: bm02.example.org, groups: [bm03] }
                    bm03: { address: bm03.example.org, colour: red }
                """)).containsExactly(
                "t.yml:4: inventory.hosts.-bad: \"-bad\" is not a valid name ([A-Za-z0-9._-]+, not starting with -)",
                "t.yml:5: inventory.hosts.bm01.address: missing",
                "t.yml:5: inventory.hosts.bm01.groups[1]: \"-x\" is not a valid name ([A-Za-z0-9._-]+, not "
                        + "starting with -)",
                "t.yml:6: inventory.hosts.bm02.groups: group \"bm03\" has the name of a host",
                "t.yml:7: inventory.hosts.bm03.colour: unknown key (known: address, groups, jump, key_file, port, "
                        + "user)");
    }

    @Test
    void diskRootsMustBeAbsoluteWithoutDotDotOnKnownHosts() {
        assertThat(errors(CONSOLE + """
                inventory:
                  hosts:
                    bm01: { address: bm01.example.org }
                  disk_roots:
                    bm01: [srv, /srv/../etc, /var//log/]
                    bm09: [/srv]
                """)).containsExactly(
                "t.yml:6: inventory.disk_roots.bm01[0]: \"srv\" is not an absolute path",
                "t.yml:6: inventory.disk_roots.bm01[1]: \"/srv/../etc\" must not contain \"..\"",
                "t.yml:7: inventory.disk_roots.bm09: no host \"bm09\" in inventory.hosts");
    }

    @Test
    void diskRootsAreNormalized() {
        BotConfig c = ConfigLoader.parse("t.yml", CONSOLE + """
                inventory:
                  hosts: { bm01: { address: bm01.example.org } }
                  disk_roots: { bm01: [/var//log/, /srv/./builds] }
                """, Map.of(), tmp);
        assertThat(c.inventory().diskRoots("bm01")).containsExactly("/var/log", "/srv/builds");
    }

    @Test
    void botSettingsValues() {
        assertThat(errors(CONSOLE + """
                bot:
                  web: 127.0.0.1:99999
                  web_url: buildduty.example.org
                  prefix: "a b"
                  anonymous: maybe
                """)).containsExactly(
                "t.yml:3: bot.web: port 99999 is out of range 0-65535",
                "t.yml:4: bot.web_url: \"buildduty.example.org\" is not an http(s) URL",
                "t.yml:5: bot.prefix: \"a b\" is not a prefix (1 to 5 characters, no spaces)",
                "t.yml:6: bot.anonymous: expected true or false, not \"maybe\"");
        assertThat(errors(CONSOLE + "bot: { web: localhost }\n")).containsExactly(
                "t.yml:2: bot.web: \"localhost\" is not host:port or off");
        assertThat(errors(CONSOLE + "bot: { web: \"localhost:80x\" }\n")).containsExactly(
                "t.yml:2: bot.web: port \"80x\" is not a whole number");
    }

    @Test
    void operationLimitsArePositiveWholeNumbers() {
        assertThat(errors(CONSOLE + """
                bot:
                  max_live_operations: 0
                  max_pending_approvals: many
                """)).containsExactly(
                "t.yml:3: bot.max_live_operations: live operations 0 is out of range 1-10000",
                "t.yml:4: bot.max_pending_approvals: not a whole number: \"many\"");
        assertThat(errors(CONSOLE + "bot: { max_pending_approvals: -1 }\n")).containsExactly(
                "t.yml:2: bot.max_pending_approvals: pending approvals -1 is out of range 1-10000");
    }

    @Test
    void retentionKeepsAtLeastADayAndAWholeNumberOfOperations() {
        assertThat(errors(CONSOLE + """
                bot:
                  retention:
                    keep: 2h
                    min_operations: -1
                    max: 3
                """)).containsExactly(
                "t.yml:4: bot.retention.keep: must be at least 1d (output is pruned daily), not 2h",
                "t.yml:5: bot.retention.min_operations: operations -1 is out of range 0-1000000",
                "t.yml:6: bot.retention.max: unknown key (known: keep, min_operations)");
        assertThat(errors(CONSOLE + "bot: { retention: { keep: forever } }\n")).singleElement()
                .satisfies(e -> assertThat(e).startsWith("t.yml:2: bot.retention.keep: "));
    }

    @Test
    void scheduleIsAReservedConnectorIdAndScheduleIdentitiesNameARunbook() {
        assertThat(errors("""
                connectors:
                  - { id: schedule, type: console }
                roles:
                  releng: ["schedule:nightly-check", "schedule:Not A Runbook"]
                """)).containsExactly(
                "t.yml:2: connectors[0].id: \"schedule\" is reserved: schedule:<runbook> is the identity a runbook"
                        + " schedule runs as",
                "t.yml:4: roles.releng[1]: \"schedule:Not A Runbook\" is not schedule:<runbook name> (the identity a"
                        + " runbook's schedule runs as)");
    }

    @Test
    void privateApprovalsIsTrueOrFalse() {
        assertThat(errors(CONSOLE + "bot:\n  private_approvals: sometimes\n")).containsExactly(
                "t.yml:3: bot.private_approvals: expected true or false, not \"sometimes\"");
    }

    @Test
    void aWebPageBeyondLoopbackNeedsAReadToken() {
        assertThat(errors(CONSOLE + "bot:\n  web: 0.0.0.0:8080\n")).containsExactly(
                "t.yml:3: bot.web: 0.0.0.0:8080 is not a loopback address: set web_token_env or web_token_file (a "
                        + "read token for the status page)");
        assertThat(errors(CONSOLE + "bot: { web: \"[2001:db8::1]:80\", web_token_env: WEB_TOKEN }\n")).containsExactly(
                "t.yml:2: bot.web_token_env: environment variable WEB_TOKEN is not set");
        assertThat(errors(CONSOLE + "bot: { web_token: hunter2 }\n")).containsExactly(
                "t.yml:2: bot.web_token: secrets are never in the file: use web_token_env or web_token_file");
    }

    @Test
    void aReadTokenComesFromTheEnvironmentOrAFile() throws Exception {
        BotConfig env = ConfigLoader.parse("t.yml", CONSOLE + "bot: { web: 0.0.0.0:80, web_token_env: WT }\n",
                Map.of("WT", "s3cret-token"), tmp);
        assertThat(env.bot().webToken()).hasValueSatisfying(t -> assertThat(t.reveal()).isEqualTo("s3cret-token"));
        Path file = Files.writeString(tmp.resolve("token"), "from-file\n");
        BotConfig fromFile = ConfigLoader.parse("t.yml", CONSOLE + "bot: { web_token_file: " + file + " }\n",
                Map.of(), tmp);
        assertThat(fromFile.bot().webToken()).hasValueSatisfying(t -> assertThat(t.reveal()).isEqualTo("from-file"));
        assertThat(ConfigLoader.parse("t.yml", CONSOLE + "bot: { web: \"localhost:8080\" }\n", Map.of(), tmp)
                .bot().webToken()).isEmpty();
    }

    @Test
    void servicesShape() {
        assertThat(errors(CONSOLE + """
                services:
                  buildbot: { user: bd }
                  mbs: { url: "https://mbs.example.org", token_env: T }
                  jenkins: { url: "http://j" }
                  gitlab: { url: "http://g" }
                """)).containsExactly(
                "t.yml:3: services.buildbot.url: missing",
                "t.yml:3: services.buildbot.password_env: missing (or password_file)",
                "t.yml:4: services.mbs.token_env: environment variable T is not set",
                "t.yml:5: services.jenkins.user: missing",
                "t.yml:5: services.jenkins.token_env: missing (or token_file; or password_env, password_file)",
                "t.yml:6: services.gitlab: unknown key (known: buildbot, jenkins, mbs)");
    }

    @Test
    void durationsInTheConfigurationUseTheRunbookGrammar() {
        BotConfig c = ConfigLoader.parse("t.yml", CONSOLE + """
                services:
                  mbs: { url: "https://mbs.example.org", poll: { building: 1m30s, idle: 90, max_backoff: 1h30m } }
                """, Map.of(), tmp);
        assertThat(c.services().get(MbsSettings.class).orElseThrow().poll()).isEqualTo(new MbsSettings.Poll(
                Duration.ofSeconds(90), Duration.ofSeconds(90), Duration.ofMinutes(90)));
        assertThat(errors(CONSOLE + """
                services:
                  mbs: { url: "https://mbs.example.org", poll: { building: 30s, idle: 1m1h } }
                """)).containsExactly("t.yml:3: services.mbs.poll.idle: not a duration: \"1m1h\" (units go largest "
                + "first, each once: 1d2h, 1h30m)");
    }

    @Test
    void mbsPollIntervals() {
        assertThat(errors(CONSOLE + """
                services:
                  mbs:
                    url: "https://mbs.example.org"
                    poll: { building: 0s, idle: soon, every: 1m }
                """)).containsExactly(
                "t.yml:5: services.mbs.poll.every: unknown key (known: building, idle, max_backoff)",
                "t.yml:5: services.mbs.poll.building: must be more than 0",
                "t.yml:5: services.mbs.poll.idle: not a duration: \"soon\" (use a number and a unit: 30s, 10m, 2h, 7d, "
                        + "1h30m)");
        assertThat(errors(CONSOLE + """
                services:
                  mbs: { url: "https://mbs.example.org", poll: { building: 1m, max_backoff: 30s } }
                """)).containsExactly("t.yml:3: services.mbs.poll.max_backoff: must be at least poll.building (60s)");
    }

    @Test
    void severalErrorsInOneFileAreAllReported() {
        assertThat(errors("""
                bot:
                  web: 127.0.0.1:8080
                  journl: data/x.db
                connectors:
                  - id: libera
                    type: irc
                    server: irc.libera.chat
                    port: 66x7
                    sasl: { account: bd, password: hunter2 }
                  - type: console
                roles:
                  releng: [alice, "slack:bob"]
                inventory:
                  hosts:
                    bm02: { address: bm02.example.org, jump: bastion }
                  disk_roots: { bm02: [srv] }
                extra: 1
                """)).containsExactly(
                "t.yml:3: bot.journl: unknown key - did you mean \"journal\"? (known: anonymous, ha, instance, "
                + "journal, "
                + "journal_password_env, journal_password_file, max_live_operations, max_pending_approvals, nick, "
                + "prefix, private_approvals, retention, runbooks, web, web_token_env, web_token_file, web_url)",
                "t.yml:8: connectors[0].port: not a whole number: \"66x7\"",
                "t.yml:9: connectors[0].sasl.password: secrets are never in the file: use password_env or "
                        + "password_file",
                "t.yml:10: connectors[1].id: missing",
                "t.yml:12: roles.releng[0]: \"alice\" is not <connector>:<principal> "
                        + "(an identity is never a bare nick)",
                "t.yml:12: roles.releng[1]: \"slack:bob\" names no configured connector \"slack\" (connectors: libera)",
                "t.yml:15: inventory.hosts.bm02.jump: no host \"bastion\" in the inventory",
                "t.yml:16: inventory.disk_roots.bm02[0]: \"srv\" is not an absolute path",
                "t.yml:17: extra: unknown key (known: bot, connectors, credentials, inventory, people, roles, "
                        + "services)");
    }

    @Test
    void loadNamesTheFileAsGiven() throws Exception {
        Path file = tmp.resolve("bad.yml");
        Files.writeString(file, CONSOLE + "colour: blue\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), tmp)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ":2: colour: unknown key (known: bot, connectors, credentials, inventory, people, "
                        + "roles, services)");
    }

    @Test
    void aDocumentThatIsNotAMapping() {
        assertThat(errors("- a\n- b\n")).containsExactly("t.yml:1: (top): expected a mapping of keys to values");
        assertThat(errors(CONSOLE + "inventory: [a]\n")).containsExactly(
                "t.yml:2: inventory: expected a mapping of keys to values");
    }

    @Test
    void onlyOneConsoleConnector() {
        assertThat(errors("connectors:\n  - {id: console, type: console}\n  - {id: term, type: console}\n"))
                .containsExactly("t.yml:3: connectors[1]: only one console connector may be configured");
    }

    @Test
    void zuliprcProblems() throws Exception {
        Files.writeString(tmp.resolve("zuliprc"), "[api]\nemail=bot@z.org\nsite=https://z.org\n");
        assertThat(errors("""
                connectors:
                  - {id: z1, type: zulip, zuliprc: zuliprc}
                  - {id: z2, type: zulip, zuliprc: missing-rc}
                  - {id: z3, type: zulip, zuliprc: zuliprc, site: "https://z.org"}
                """)).containsExactly(
                "t.yml:2: connectors[0].zuliprc: " + tmp.resolve("zuliprc") + " has no key in its [api] section",
                "t.yml:3: connectors[1].zuliprc: cannot read " + tmp.resolve("missing-rc") + ": no such file",
                "t.yml:4: connectors[2].site: give either zuliprc or site, email and api_key_env/api_key_file, "
                        + "not both");
    }
}
