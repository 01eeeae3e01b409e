package org.buildduty.connectors.zulip;

import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.journal.StateRecords;

/** The last handled message id as the journal record {@code zulip-last/<connector id>}: {@code {"message_id":N}}. */
final class JournalLastMessageStore implements LastMessageStore {
    private static final Logger LOG = LoggerFactory.getLogger(JournalLastMessageStore.class);
    private static final Pattern BODY = Pattern.compile("\\{\\s*\"message_id\"\\s*:\\s*(-?\\d+)\\s*}");

    private final StateRecords journal;

    JournalLastMessageStore(StateRecords journal) {
        this.journal = Objects.requireNonNull(journal, "journal");
    }

    @Override
    public OptionalLong load(String connectorId) {
        String body = journal.states(KIND).get(connectorId);
        if (body == null) {
            return OptionalLong.empty();
        }
        Matcher m = BODY.matcher(body.strip());
        if (!m.matches()) {
            LOG.warn("{}: unreadable {} record ({}); starting as if fresh", connectorId, KIND, body);
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(m.group(1)));
    }

    @Override
    public void save(String connectorId, long messageId) {
        journal.putState(KIND, connectorId, "{\"message_id\":" + messageId + "}");
    }
}
