package org.buildduty.app.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConfigLoader;
import org.buildduty.connectors.testing.TestCertificates;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.time.Ticker;

/**
 * A PostgreSQL journal over TLS with pgjdbc's own option names in {@code bot.journal}: {@code sslmode=verify-full}
 * with the CA in {@code sslrootcert} connects encrypted, and a server whose certificate another CA signed is refused in
 * one line.
 */
class PostgresTlsTest {
    private static PgServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        server = PgServer.startWithTls();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private String url(String db, Path ca) {
        return "postgresql://127.0.0.1:" + server.port() + "/" + db + "?user=postgres&sslmode=verify-full"
                + "&sslrootcert=" + ca;
    }

    @Test
    void verifyFullWithTheServersCaConnectsEncrypted() throws Exception {
        String db = server.createDatabase();
        BotConfig cfg = ConfigLoader.parse("t.yml", "bot: { journal: \"" + url(db, server.tlsCa()) + "\" }\n"
                + "connectors: [{id: console, type: console}]\n", Map.of(), tmp);
        String configured = cfg.bot().cluster().postgres().orElseThrow().url();
        try (PostgresJournal journal = PostgresJournal.open(configured, null, Ticker.system(),
                Duration.ofSeconds(10))) {
            boolean encrypted = journal.session("reading", c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                    return rs.next() && rs.getBoolean(1);
                }
            });
            assertThat(encrypted).isTrue();
            assertThat(journal.nextOperationId().value()).isEqualTo(1);
        }
    }

    @Test
    void aServerCertificateSignedByAnotherCaIsRefusedInOneLine() throws Exception {
        String db = server.createDatabase();
        Path stranger = TestCertificates.ca(tmp.resolve("stranger"));
        JournalException e = catchThrowableOfType(JournalException.class,
                () -> PostgresJournal.open(url(db, stranger), null, Ticker.system(), Duration.ofSeconds(10)));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).startsWith("journal postgresql://127.0.0.1:" + server.port() + "/" + db + ": ")
                .contains("while connecting").doesNotContain("\n").doesNotContain("sslrootcert");
    }
}
