package org.buildduty.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.joran.spi.JoranException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.progress.Redactor;

/** The shipped logback.xml masks configured secrets in messages and stack traces, in the file and on stderr. */
class LogRedactionTest {
    @TempDir
    Path dir;

    @AfterEach
    void reset() {
        LogRedaction.install(Redactor.NONE);
    }

    /** A logback context configured by the shipped logback.xml, logging to {@code log}. */
    private LoggerContext shippedConfiguration(Path log) throws JoranException {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new LogbackMDCAdapter());
        ctx.start();
        ctx.putProperty("BUILDDUTY_LOG_FILE", log.toString());
        JoranConfigurator config = new JoranConfigurator();
        config.setContext(ctx);
        config.doConfigure(getClass().getResource("/logback.xml"));
        return ctx;
    }

    @Test
    void theShippedConfigurationCreatesTheLogFolderPrivateAndTheLogFileReadableOnlyByItsUser() throws Exception {
        Path log = dir.resolve("data").resolve("buildduty.log");
        LoggerContext ctx = shippedConfiguration(log);
        ctx.getLogger("test").warn("hello");
        ctx.stop();

        assertThat(Files.readString(log)).contains("hello");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log.getParent())))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-------");
    }

    @Test
    void anExistingLogFileIsMadePrivate() throws Exception {
        Path log = Files.createDirectories(dir.resolve("logs")).resolve("buildduty.log");
        Files.writeString(log, "old line\n");
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
        LoggerContext ctx = shippedConfiguration(log);
        ctx.getLogger("test").warn("hello");
        ctx.stop();

        assertThat(Files.readString(log)).startsWith("old line\n").contains("hello");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-------");
    }

    @Test
    void theShippedLayoutMasksSecretsInMessagesAndStackTraces() throws Exception {
        Path log = dir.resolve("bot.log");
        LoggerContext ctx = shippedConfiguration(log);
        Logger logger = ctx.getLogger("test");
        logger.setLevel(Level.INFO);

        logger.info("before install: tok-s3cr3t");
        LogRedaction.install(new Redactor(List.of("tok-s3cr3t")));
        logger.info("login with tok-s3cr3t failed");
        logger.error("boom", new IllegalStateException("server said tok-s3cr3t is wrong"));
        ctx.stop();

        String text = Files.readString(log);
        assertThat(text).contains("before install: tok-s3cr3t")
                .contains("login with *** failed")
                .contains("IllegalStateException: server said *** is wrong")
                .contains("at org.buildduty.app.logging.LogRedactionTest");
        assertThat(text.lines().filter(l -> l.contains("tok-s3cr3t")).count()).isEqualTo(1);
    }
}
