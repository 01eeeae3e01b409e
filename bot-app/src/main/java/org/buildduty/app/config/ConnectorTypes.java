package org.buildduty.app.config;

import java.util.List;
import java.util.Optional;

import org.buildduty.connectors.console.ConsoleSettings;
import org.buildduty.connectors.console.ConsoleSettingsReader;
import org.buildduty.connectors.irc.IrcConfig;
import org.buildduty.connectors.irc.IrcConnector;
import org.buildduty.connectors.irc.IrcSettings;
import org.buildduty.connectors.irc.IrcSettingsReader;
import org.buildduty.connectors.matrix.MatrixConfig;
import org.buildduty.connectors.matrix.MatrixConnector;
import org.buildduty.connectors.matrix.MatrixSettings;
import org.buildduty.connectors.matrix.MatrixSettingsReader;
import org.buildduty.connectors.matrix.SyncTokenStore;
import org.buildduty.connectors.zulip.LastMessageStore;
import org.buildduty.connectors.zulip.ZulipConfig;
import org.buildduty.connectors.zulip.ZulipConnector;
import org.buildduty.connectors.zulip.ZulipSettings;
import org.buildduty.connectors.zulip.ZulipSettingsReader;

/**
 * The connector types of this build, in the order {@code type:} errors list them. Adding a connector is its package
 * in bot-connectors (settings, their reader, config, connector) and one entry here.
 */
public final class ConnectorTypes {
    /** Every type, one entry each. */
    public static final List<ConnectorType<?, ?>> ALL = List.of(
            new ConnectorType<>(new ConsoleSettingsReader(), ConsoleSettings.class, true, (id, s) -> id,
                    (id, unused, w) -> ConnectorType.Started.now(w.console().apply(id))),
            new ConnectorType<>(new IrcSettingsReader(), IrcSettings.class, false, IrcConfig::of,
                    (id, cfg, w) -> irc(new IrcConnector(cfg, w.ticker(), w.beforeWrite()))),
            new ConnectorType<>(new MatrixSettingsReader(), MatrixSettings.class, false, MatrixConfig::of,
                    (id, cfg, w) -> matrix(new MatrixConnector(cfg, SyncTokenStore.journal(w.journal(), id),
                            w.ticker()))),
            new ConnectorType<>(new ZulipSettingsReader(), ZulipSettings.class, false, ZulipConfig::of,
                    (id, cfg, w) -> zulip(new ZulipConnector(cfg, LastMessageStore.journal(w.journal()),
                            w.ticker()))));

    private ConnectorTypes() {
    }

    /** The names of {@code type:}, in order. */
    public static List<String> names() {
        return ALL.stream().map(ConnectorType::name).toList();
    }

    /** The type named so. */
    public static Optional<ConnectorType<?, ?>> named(String type) {
        return ALL.stream().filter(t -> t.name().equals(type)).findFirst();
    }

    private static ConnectorType.Started irc(IrcConnector c) {
        return ConnectorType.Started.awaitedFirst(c, c::awaitConnected);
    }

    private static ConnectorType.Started matrix(MatrixConnector c) {
        return ConnectorType.Started.awaited(c, c::awaitConnected);
    }

    private static ConnectorType.Started zulip(ZulipConnector c) {
        return ConnectorType.Started.awaited(c, c::awaitConnected);
    }
}
