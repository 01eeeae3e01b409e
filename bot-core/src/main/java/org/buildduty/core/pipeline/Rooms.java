package org.buildduty.core.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.progress.RoomPublisher;
import org.buildduty.core.time.Ticker;

/**
 * The rooms the bot writes to: one paced, redacting {@link RoomPublisher} per room (and thread), created on first
 * use, and the {@link Announcer} that posts to any room of any connector or opens a thread there.
 */
final class Rooms implements Announcer, OperationRooms {
    private static final Logger LOG = LoggerFactory.getLogger(Rooms.class);

    private final Map<String, Connector> connectors;
    private final Ticker ticker;
    private final Redactor redactor;
    private final Map<ChatAddress, RoomPublisher> publishers = new ConcurrentHashMap<>();
    private volatile Asked asked = Asked.NONE;

    /**
     * Learns which answer lines ask for approval, and the messages they were sent as: {@link ReactionApprovals}
     * registers those messages, so a reaction on them approves or denies.
     */
    interface Asked {
        /** Nothing registered. */
        Asked NONE = new Asked() {
            @Override
            public void expect(String line, OperationId id, int step) {
            }

            @Override
            public void sent(List<String> lines, List<MessageRef> refs) {
            }
        };

        /** The next answer line containing {@code line} asks for approval of {@code id}. */
        void expect(String line, OperationId id, int step);

        /** Answer lines and the messages the first of them were sent as ({@code refs} may be shorter). */
        void sent(List<String> lines, List<MessageRef> refs);
    }

    Rooms(Map<String, Connector> connectors, Ticker ticker, Redactor redactor) {
        this.connectors = connectors;
        this.ticker = ticker;
        this.redactor = redactor;
    }

    @Override
    public void reply(ChatAddress room, List<String> lines) {
        Optional<RoomPublisher> p = lines.isEmpty() ? Optional.empty() : publisher(room);
        if (p.isPresent()) {
            asked.sent(lines, p.get().reply(lines));
        }
    }

    /** Where lines that ask for approval are reported, with the messages they were sent as. */
    void asked(Asked to) {
        this.asked = to;
    }

    @Override
    public void asking(String line, OperationId id, int step) {
        asked.expect(line, id, step);
    }

    @Override
    public Optional<RoomPublisher> publisher(ChatAddress room) {
        RoomPublisher known = publishers.get(room);
        if (known != null) {
            return Optional.of(known);
        }
        Connector c = connectors.get(room.connectorId());
        if (c == null) {
            LOG.warn("no connector {} for {}", room.connectorId(), room);
            return Optional.empty();
        }
        Duration statusInterval = c.capabilities().edits() ? Duration.ofSeconds(3) : Duration.ofSeconds(60);
        return Optional.of(publishers.computeIfAbsent(room,
                r -> new RoomPublisher(c, r, ticker, redactor, statusInterval)));
    }

    /** Sends what every room's pace allows now. */
    void drainAll() {
        for (RoomPublisher p : publishers.values()) {
            p.drain();
        }
    }

    /** True when every room has sent all its queued lines (after sending what the pace allows). */
    boolean allSent() {
        return publishers.values().stream().allMatch(p -> p.drain() >= 0 && p.queuedLines() == 0);
    }

    /** What the room's chat can do; a terminal's for an unknown connector. */
    Capabilities capabilities(ChatAddress room) {
        Connector c = connectors.get(room.connectorId());
        return c == null ? Capabilities.terminal() : c.capabilities();
    }

    @Override
    public boolean threaded(ChatAddress room) {
        Connector c = connectors.get(room.connectorId());
        return c != null && c.capabilities().threads();
    }

    @Override
    public ChatAddress resolve(String target, String fromConnectorId) {
        return Announcements.resolve(connectors, target, fromConnectorId);
    }

    @Override
    public void announce(ChatAddress to, String text) {
        String line = Announcements.check(connectors, to, text);
        publisher(to).ifPresent(p -> p.reply(List.of(line)));
    }

    @Override
    public ChatAddress openThread(ChatAddress room, String title, String firstText, String rootMessageId) {
        String line = Announcements.check(connectors, room, firstText);
        try {
            MessageRef first = connectors.get(room.connectorId()).startThread(room, title, redactor.redact(line),
                    rootMessageId);
            return first == null ? room : first.address();
        } catch (RuntimeException e) {
            LOG.warn("starting a thread \"{}\" in {} failed ({}); its messages go to the room", title, room,
                    e.toString());
            publisher(room).ifPresent(p -> p.reply(List.of(line)));
            return room;
        }
    }
}
