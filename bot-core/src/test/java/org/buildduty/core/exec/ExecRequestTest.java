package org.buildduty.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.param.ShellQuote;

/** Binding the placeholders a frozen argument keeps until its step runs. */
class ExecRequestTest {
    @TempDir
    Path dir;

    private static ExecRequest request(String host, Map<String, String> vars) {
        return new ExecRequest(new OperationId(17), StepSpec.of("s", "local", Map.of()), host, Duration.ofMinutes(1),
                vars);
    }

    @Test
    void bindHostQuotesTheHost() throws Exception {
        String cmd = "printf %s {{host}} {{host}}";
        assertThat(request("bm01", Map.of()).bind(cmd, ShellQuote::quote)).isEqualTo("printf %s 'bm01' 'bm01'");
        Path canary = dir.resolve("canary2");
        String bound = request("h;touch " + canary, Map.of()).bind("printf %s {{host}}", ShellQuote::quote);
        Process p = new ProcessBuilder("/bin/sh", "-c", bound).start();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("h;touch " + canary);
        p.waitFor(10, TimeUnit.SECONDS);
        assertThat(Files.exists(canary)).isFalse();
    }

    @Test
    void bindOperationPutsItsDigits() {
        assertThat(request(null, Map.of()).bind("op {{operation}} of {{operation}}", ShellQuote::quote))
                .isEqualTo("op 17 of 17");
        assertThat(request(null, Map.of()).bind("no marker", ShellQuote::quote)).isEqualTo("no marker");
    }

    @Test
    void keptValuesAreEscapedAndNeverRescanned() {
        ExecRequest r = request("bm01", Map.of("brid", "{{host}}'x"));
        assertThat(r.bind("echo {{brid}} {{unknown}}", ShellQuote::quote))
                .isEqualTo("echo '{{host}}'\\''x' {{unknown}}");
        assertThat(request(null, Map.of()).bind("on {{host}}", ShellQuote::quote)).isEqualTo("on {{host}}");
    }
}
