package org.buildduty.core.chat;

import java.util.Objects;

/**
 * Who sent a message, as {@code <connector-id>:<principal>}: an IRC services account (or hostmask), a Matrix user id,
 * a Zulip email, or {@code console:local}. Never a bare IRC nick.
 */
public record Identity(String connectorId, String principal) {
    public Identity {
        Objects.requireNonNull(connectorId, "connectorId");
        Objects.requireNonNull(principal, "principal");
        if (connectorId.isEmpty() || connectorId.contains(":")) {
            throw new IllegalArgumentException("bad connector id: " + connectorId);
        }
        if (principal.isEmpty()) {
            throw new IllegalArgumentException("empty principal");
        }
    }

    /** Parses {@code connector:principal}; the principal may itself contain colons (Matrix ids do). */
    public static Identity parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("identity must be <connector>:<principal>: " + text);
        }
        return new Identity(text.substring(0, colon), text.substring(colon + 1));
    }

    /**
     * How lines name this identity in a room of connector {@code connectorId}: the principal alone on its own
     * connector ({@code bob} on IRC, {@code local} on the console), the whole identity elsewhere
     * ({@code matrix:@bob:example.org} read on IRC), so one person is named the same way in every line of a room.
     */
    public String shownTo(String connectorId) {
        return this.connectorId.equals(connectorId) ? principal : toString();
    }

    @Override
    public String toString() {
        return connectorId + ":" + principal;
    }
}
