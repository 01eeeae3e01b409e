package org.buildduty.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.buildduty.commands.buildbot.BuildbotSettings;
import org.buildduty.core.config.ConfigException;

/** {@code credentials:} for http steps, and the {@code buildbot} session that {@code services.buildbot} implies. */
class CredentialsConfigTest {
    private static final String CONSOLE = "connectors: [{id: console, type: console}]\n";
    private static final Map<String, String> ENV = Map.of("KCI_TOKEN", "kci-s3cr3t", "NEXUS_PW", "nexus-s3cr3t",
            "BB_PW", "bb-s3cr3t");

    @TempDir
    Path tmp;

    @Test
    void readsEachTypeAndAddsTheBuildbotSession() {
        BotConfig c = ConfigLoader.parse("t.yml", CONSOLE + """
                credentials:
                  kernelci: { type: bearer, url: "https://kernelci.example.org/api", token_env: KCI_TOKEN }
                  nexus: { type: basic, url: "https://nexus.example.org/", user: deploy, password_env: NEXUS_PW }
                  bb2: { type: session, url: "http://bb2:8010", user: bot, password_env: BB_PW }
                services:
                  buildbot: { url: "http://bb:8010/", user: buildduty, password_env: BB_PW }
                """, ENV, tmp);
        assertThat(c.credentials()).containsOnlyKeys("kernelci", "nexus", "bb2", "buildbot");
        CredentialConfig kci = c.credentials().get("kernelci");
        assertThat(kci.type()).isEqualTo(CredentialConfig.Type.BEARER);
        assertThat(kci.secret().reveal()).isEqualTo("kci-s3cr3t");
        assertThat(kci.user()).isEmpty();
        assertThat(c.credentials().get("nexus").user()).contains("deploy");
        assertThat(c.credentials().get("bb2").login()).contains(URI.create("http://bb2:8010/auth/login"));
        CredentialConfig bb = c.credentials().get("buildbot");
        assertThat(bb.type()).isEqualTo(CredentialConfig.Type.SESSION);
        assertThat(bb.login()).contains(URI.create("http://bb:8010/auth/login"));
        assertThat(bb.secret().reveal()).isEqualTo("bb-s3cr3t");
        assertThat(c.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void anAnonymousBuildbotImpliesNoCredential() {
        BotConfig c = ConfigLoader.parse("t.yml", CONSOLE + "services:\n  buildbot: { url: \"http://bb:8010\" }\n",
                ENV, tmp);
        assertThat(c.credentials()).isEmpty();
        assertThat(c.services().get(BuildbotSettings.class).map(BuildbotSettings::user)).contains(Optional.empty());
    }

    @Test
    void mistakesAreOneLineEach() {
        assertThat(errors("""
                credentials:
                  Bad Name: { type: bearer, url: "https://x", token_env: KCI_TOKEN }
                  a: { type: digest, url: "https://x" }
                  b: { type: bearer, url: "ftp://x", token: literal }
                  c: { type: basic, url: "https://x", password_env: NEXUS_PW }
                  d: { type: bearer, url: "https://x", token_env: KCI_TOKEN, user: me }
                  e: { type: basic, url: "https://x", user: me, password_env: UNSET }
                """)).containsExactly(
                "t.yml:3: credentials.Bad Name: \"Bad Name\" is not a credential name ([a-z][a-z0-9_-]*)",
                "t.yml:4: credentials.a.type: \"digest\" is not one of: bearer, basic, session",
                "t.yml:5: credentials.b.token: secrets are never in the file: use token_env or token_file",
                "t.yml:5: credentials.b.url: \"ftp://x\" is not an http(s) URL",
                "t.yml:6: credentials.c.user: missing",
                "t.yml:7: credentials.d.user: a bearer credential has url and token_env or token_file only",
                "t.yml:8: credentials.e.password_env: environment variable UNSET is not set");
    }

    @Test
    void buildbotCannotBeDefinedTwice() {
        assertThat(errors("""
                credentials:
                  buildbot: { type: bearer, url: "https://x", token_env: KCI_TOKEN }
                services:
                  buildbot: { url: "http://bb:8010", user: bot, password_env: BB_PW }
                """)).containsExactly(
                "t.yml:3: credentials.buildbot: is defined by services.buildbot already (its user and password)");
    }

    private List<String> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse("t.yml", CONSOLE + yaml, ENV, tmp));
        assertThat(e).as("expected a ConfigException").isNotNull();
        return e.errors();
    }
}
