package org.buildduty.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConnectorConfig;
import org.buildduty.app.config.CredentialConfig;
import org.buildduty.core.config.ConnectorSettings;
import org.buildduty.core.config.Secret;
import org.buildduty.core.config.ServiceSettings;
import org.buildduty.core.progress.Redactor;

/** Every secret the configuration resolved: for the redactor of chat and journal, and hidden from local commands. */
final class Secrets {
    private Secrets() {
    }

    /** Every secret, in every encoded form, and the Basic credentials {@code base64(user:secret)} sent for them. */
    static Redactor redactor(BotConfig cfg) {
        Redactor.Builder b = Redactor.builder().secrets(all(cfg).stream().map(Secret::reveal).toList());
        for (ServiceSettings s : cfg.services().configured()) {
            for (ConnectorSettings.BasicLogin login : s.basicLogins()) {
                b.basic(login.user(), login.secret().reveal());
            }
        }
        cfg.credentials().values().stream().filter(c -> c.type() != CredentialConfig.Type.BEARER)
                .forEach(c -> c.user().ifPresent(u -> b.basic(u, c.secret().reveal())));
        for (ConnectorConfig c : cfg.connectors()) {
            for (ConnectorSettings.BasicLogin login : c.settings().basicLogins()) {
                b.basic(login.user(), login.secret().reveal());
            }
        }
        return b.build();
    }

    /** The environment variables secrets were read from; local commands never inherit them. */
    static Set<String> environmentNames(BotConfig cfg) {
        Set<String> names = new TreeSet<>();
        for (Secret s : all(cfg)) {
            if (s.source().startsWith("env ")) {
                names.add(s.source().substring(4));
            }
        }
        return names;
    }

    private static List<Secret> all(BotConfig cfg) {
        List<Secret> values = new ArrayList<>();
        for (ConnectorConfig c : cfg.connectors()) {
            values.addAll(c.settings().secrets());
        }
        cfg.inventory().ssh().passphrase().ifPresent(values::add);
        cfg.services().configured().forEach(s -> values.addAll(s.secrets()));
        cfg.credentials().values().forEach(c -> values.add(c.secret()));
        cfg.bot().webToken().ifPresent(values::add);
        cfg.bot().cluster().postgres().flatMap(p -> p.password()).ifPresent(values::add);
        return values;
    }
}
