package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.buildduty.core.config.ConfigContext;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.ConnectorSettings;

class IrcSettingsReaderTest {
    private final IrcSettingsReader reader = new IrcSettingsReader();
    private final ConfigContext ctx = ConfigContext.of(Map.of("IRC_PW", "s3cr3t-XYZ"), Path.of("/srv/bd"));

    private Optional<IrcSettings> read(String yaml) {
        ConfigNode entry = ConfigNode.parse("t.yml", yaml);
        return reader.read(ConfigSection.of(entry, ctx, reader.keys()), "relbot");
    }

    @Test
    void anEntryWithOnlyAServerGetsTheDefaultsTheConnectorUses() {
        IrcSettings s = read("server: irc.example.org\n").orElseThrow();

        assertThat(s).isEqualTo(new IrcSettings("irc.example.org", 6697, true, Optional.empty(), "relbot",
                Optional.empty(), Optional.empty(), IrcConfig.IdentityMode.ACCOUNT, List.of(),
                IrcSettings.Flood.DEFAULT));
        IrcConfig cfg = IrcConfig.of("libera", s);
        IrcConfig built = IrcConfig.builder("libera", "irc.example.org", 6697).nick("relbot").build();
        assertThat(List.of(cfg.tls(), cfg.identity(), cfg.burst(), cfg.interval(), cfg.realname()))
                .isEqualTo(List.of(built.tls(), built.identity(), built.burst(), built.interval(), built.realname()));
        assertThat(ctx.problems().errors()).isEmpty();
    }

    @Test
    void withoutTlsThePortIs6667AndTheSaslPasswordIsASecretTheBotRedacts() {
        IrcSettings s = read("""
                server: irc.example.org
                tls: false
                sasl: { account: bd, password_env: IRC_PW }
                flood: { burst: 2, interval: 500ms }
                """).orElseThrow();

        assertThat(s.port()).isEqualTo(6667);
        assertThat(s.flood()).isEqualTo(new IrcSettings.Flood(2, Duration.ofMillis(500)));
        assertThat(s.secrets()).extracting(x -> x.reveal()).containsExactly("s3cr3t-XYZ");
        assertThat(s.basicLogins()).extracting(ConnectorSettings.BasicLogin::user).containsExactly("bd");
        assertThat(s.toString()).doesNotContain("s3cr3t-XYZ");
        assertThat(IrcConfig.of("x", s).saslPassword()).contains("s3cr3t-XYZ");
    }

    @Test
    void problemsNameFileLineAndField() {
        Optional<IrcSettings> s = read("""
                port: 0
                identity: nick
                """);

        assertThat(s).isEmpty();
        assertThat(ctx.problems().errors()).containsExactly("t.yml:1: server: missing",
                "t.yml:1: port: port 0 is out of range 1-65535",
                "t.yml:2: identity: \"nick\" is not one of: account, hostmask");
    }

    @Test
    void rolesNameAccountsOrWithHostmaskIdentityConcreteMasks() {
        ConnectorSettings.PrincipalCheck account = reader.principals(ConfigNode.parse("t.yml", "server: x\n"));
        ConnectorSettings.PrincipalCheck hostmask = reader.principals(
                ConfigNode.parse("t.yml", "server: x\nidentity: hostmask\n"));

        assertThat(account.problem("libera", "alice")).isEmpty();
        assertThat(account.problem("libera", "alice!*@*")).contains(
                "is not a services account (connector libera uses identity: account)");
        assertThat(hostmask.problem("oftc", "alice!*@host.example.org")).isEmpty();
        assertThat(hostmask.problem("oftc", "alice!*@*")).contains(
                "needs a concrete host part (not only * and ?): anyone can take a nick or an ident");
    }
}
