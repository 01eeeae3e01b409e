package org.buildduty.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.config.ConfigException;

/**
 * {@code bot.journal: postgresql://...}, its password, {@code bot.instance} and {@code bot.ha}: read, checked, and
 * the SQLite path left as it was.
 */
class ClusterConfigTest {
    private static final String CONSOLE = "connectors: [{id: console, type: console}]\n";

    @TempDir
    Path tmp;

    private BotConfig load(String bot, Map<String, String> env) {
        return ConfigLoader.parse("t.yml", "bot:\n" + bot + CONSOLE, env, tmp);
    }

    private List<String> errors(String bot, Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(bot, env));
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e.errors();
    }

    @Test
    void aPostgresqlJournalWithItsPasswordInstanceAndTimings() throws Exception {
        Path ca = Files.writeString(tmp.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        BotConfig c = load("  journal: postgresql://db1.example.org:5432,db2.example.org:5433/buildduty?user=bd"
                + "&sslmode=verify-full&sslrootcert=" + ca + "&targetServerType=primary\n" + """
                  journal_password_env: BD_DB_PASSWORD
                  instance: bd-east
                  ha: { heartbeat: 2s, takeover_after: 15s }
                """, Map.of("BD_DB_PASSWORD", "pg-s3cret"));
        ClusterSettings cluster = c.bot().cluster();
        ClusterSettings.Postgres pg = cluster.postgres().orElseThrow();
        assertThat(pg.url()).isEqualTo("postgresql://db1.example.org:5432,db2.example.org:5433/buildduty?user=bd"
                + "&sslmode=verify-full&sslrootcert=" + ca + "&targetServerType=primary");
        assertThat(pg.password().orElseThrow().reveal()).isEqualTo("pg-s3cret");
        assertThat(pg.display()).isEqualTo("postgresql://db1.example.org:5432,db2.example.org:5433/buildduty");
        assertThat(pg.toString()).doesNotContain("pg-s3cret");
        assertThat(c.toString()).doesNotContain("pg-s3cret");
        assertThat(cluster.instance()).isEqualTo("bd-east");
        assertThat(cluster.heartbeat()).isEqualTo(Duration.ofSeconds(2));
        assertThat(cluster.takeoverAfter()).isEqualTo(Duration.ofSeconds(15));
        // local caches stay beside where the SQLite journal would be
        assertThat(c.bot().journal()).isEqualTo(tmp.resolve("data/buildduty.db"));
    }

    @Test
    void theSqliteJournalStaysTheDefaultAndTheInstanceIsTheHostName() {
        BotConfig c = load("  prefix: \"!\"\n", Map.of());
        assertThat(c.bot().cluster().postgres()).isEmpty();
        assertThat(c.bot().journal()).isEqualTo(tmp.resolve("data/buildduty.db"));
        assertThat(c.bot().cluster().instance()).isEqualTo(ClusterSettings.hostName()).isNotBlank();
        assertThat(c.bot().cluster().heartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.bot().cluster().takeoverAfter()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aPasswordInTheUrlIsRefusedWithoutShowingIt() {
        List<String> errors = errors("  journal: postgresql://db:5432/bd?user=bd&password=hunter2\n", Map.of());
        assertThat(errors).containsExactly("t.yml:2: bot.journal: the URL must not hold a password (password=...): "
                + "give it with journal_password_env or journal_password_file");
    }

    @Test
    void badUrlsOptionsAndTimingsAreOneLineEach() {
        assertThat(errors("  journal: postgresql://db:5432\n", Map.of())).containsExactly(
                "t.yml:2: bot.journal: \"postgresql://db:5432\" is not postgresql://HOST[:PORT]/DATABASE"
                        + "[?user=USER&...]");
        assertThat(errors("  journal: postgresql://db/bd?user=bd&sslmode=maybe&colour=blue\n", Map.of()))
                .containsExactly(
                        "t.yml:2: bot.journal: sslmode \"maybe\" is not one of allow, disable, prefer, require, "
                                + "verify-ca, verify-full",
                        "t.yml:2: bot.journal: unknown option \"colour\" in the URL; pgjdbc options allowed here: "
                                + "ApplicationName, connectTimeout, currentSchema, gssEncMode, hostRecheckSeconds, "
                                + "loadBalanceHosts, loginTimeout, socketTimeout, ssl, sslcert, sslkey, "
                                + "sslmode, sslnegotiation, sslrootcert, targetServerType, user");
        assertThat(errors("  journal: postgresql://db/bd?sslrootcert=/nonexistent/ca.pem\n", Map.of()))
                .containsExactly("t.yml:2: bot.journal: sslrootcert /nonexistent/ca.pem is not a readable file");
        assertThat(errors("  journal: postgresql://db/bd\n  ha: { heartbeat: 1s, takeover_after: 2s }\n", Map.of()))
                .containsExactly("t.yml:3: bot.ha.takeover_after: must be at least 3 heartbeats (3s) and at most "
                        + "10m, not 2s");
        assertThat(errors("  ha: { heartbeat: 10ms }\n", Map.of())).containsExactly(
                "t.yml:2: bot.ha.heartbeat: must be between 100ms and 1m, not 10ms");
        assertThat(errors("  instance: \"bd east\"\n", Map.of())).containsExactly(
                "t.yml:2: bot.instance: \"bd east\" is not an instance name (a letter or digit, then up to 62 "
                        + "letters, digits, '.', '_' or '-')");
    }

    @Test
    void aJournalPasswordNeedsAPostgresqlJournalAndItsVariable() {
        assertThat(errors("  journal_password_env: PW\n", Map.of("PW", "x"))).containsExactly(
                "t.yml:2: bot.journal_password_env: only a postgresql:// journal has a password; journal is an "
                        + "SQLite file here");
        assertThat(errors("  journal: postgresql://db/bd\n  journal_password_env: PW\n", Map.of()))
                .containsExactly("t.yml:3: bot.journal_password_env: environment variable PW is not set");
    }
}
