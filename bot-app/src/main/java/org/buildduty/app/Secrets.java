package org.buildduty.app;

import java.util.ArrayList;
import java.util.List;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.ConnectorConfig;
import org.buildduty.app.config.IrcSettings;
import org.buildduty.app.config.MatrixSettings;
import org.buildduty.app.config.Secret;
import org.buildduty.app.config.ZulipSettings;
import org.buildduty.core.progress.Redactor;

/** Every secret the configuration resolved, gathered into the redactor that guards chat, logs and the journal. */
final class Secrets {
    private Secrets() {
    }

    static Redactor redactor(BotConfig cfg) {
        List<String> values = new ArrayList<>();
        for (ConnectorConfig c : cfg.connectors()) {
            if (c.settings() instanceof IrcSettings) {
                ((IrcSettings) c.settings()).sasl().ifPresent(s -> values.add(s.password().reveal()));
            } else if (c.settings() instanceof MatrixSettings) {
                MatrixSettings m = (MatrixSettings) c.settings();
                m.accessToken().map(Secret::reveal).ifPresent(values::add);
                m.password().map(Secret::reveal).ifPresent(values::add);
            } else if (c.settings() instanceof ZulipSettings) {
                values.add(((ZulipSettings) c.settings()).apiKey().reveal());
            }
        }
        cfg.inventory().ssh().passphrase().map(Secret::reveal).ifPresent(values::add);
        cfg.services().buildbot().flatMap(b -> b.password()).map(Secret::reveal).ifPresent(values::add);
        cfg.services().mbs().flatMap(m -> m.token()).map(Secret::reveal).ifPresent(values::add);
        return new Redactor(values);
    }
}
