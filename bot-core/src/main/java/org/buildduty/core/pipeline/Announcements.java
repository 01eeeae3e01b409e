package org.buildduty.core.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.UnknownTargetException;
import org.buildduty.core.chat.AnnounceTarget;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Connector;

/** Resolves announcement targets against the configured connectors (the engine's {@code resolve}). */
final class Announcements {
    private Announcements() {
    }

    static ChatAddress resolve(Map<String, Connector> connectors, String text, String fromConnectorId) {
        AnnounceTarget target = AnnounceTarget.parse(text);
        if (target.connectorId() != null) {
            Connector c = connectors.get(target.connectorId());
            if (c == null) {
                throw new UnknownTargetException("no connector \"" + target.connectorId() + "\"; " + list(connectors));
            }
            ChatAddress to = target.on(c.id());
            if (!c.takes(to)) {
                throw new UnknownTargetException("connector " + c.id() + " cannot post to \"" + target.place() + "\""
                        + zulipHint(target) + "; " + list(connectors));
            }
            return to;
        }
        Connector from = fromConnectorId == null ? null : connectors.get(fromConnectorId);
        if (from != null && from.takes(target.on(from.id()))) {
            return target.on(from.id());
        }
        List<Connector> able = new ArrayList<>();
        for (Connector c : connectors.values()) {
            if (c.takes(target.on(c.id()))) {
                able.add(c);
            }
        }
        able.sort(Comparator.comparing(Connector::id));   // the engine's map has no order
        if (able.size() > 1 && able.stream().anyMatch(c -> !c.capabilities().liveOutput())) {
            able.removeIf(c -> c.capabilities().liveOutput());   // a terminal takes any room: only as a last resort
        }
        if (able.size() == 1) {
            return target.on(able.get(0).id());
        }
        if (able.isEmpty()) {
            if (target.thread() != null) {
                throw new UnknownTargetException("Zulip targets need a Zulip connector; " + list(connectors));
            }
            throw new UnknownTargetException("no connector can post to \"" + target.place() + "\"; "
                    + list(connectors));
        }
        throw new UnknownTargetException("\"" + target.place() + "\" could be on " + able.stream()
                .map(Connector::id).collect(Collectors.joining(" or ")) + "; write " + able.stream()
                .map(c -> c.id() + ":" + target.place()).collect(Collectors.joining(" or ")));
    }

    /** The text as one line, checked, for a known connector of {@code to}. */
    static String check(Map<String, Connector> connectors, ChatAddress to, String text) {
        String line = text == null ? "" : text.replaceAll("[\\r\\n]+", " ").strip();
        if (line.isEmpty() || line.length() > Announcer.MAX_TEXT) {
            throw new InvalidValueException("an announcement is 1 to " + Announcer.MAX_TEXT + " characters, not "
                    + line.length());
        }
        if (!connectors.containsKey(to.connectorId())) {
            throw new UnknownTargetException("no connector \"" + to.connectorId() + "\"; " + list(connectors));
        }
        return line;
    }

    private static String zulipHint(AnnounceTarget target) {
        return target.thread() != null ? " (Zulip targets need a Zulip connector)" : "";
    }

    private static String list(Map<String, Connector> connectors) {
        return connectors.isEmpty() ? "no connectors are configured"
                : "connectors: " + String.join(", ", new TreeSet<>(connectors.keySet()));
    }
}
