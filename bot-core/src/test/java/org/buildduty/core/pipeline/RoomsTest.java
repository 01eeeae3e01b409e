package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.progress.Redactor;
import org.buildduty.core.testing.FakeConnector;
import org.buildduty.core.testing.FakeTicker;

/** The rooms' publishers: one per room, made on first use; an answer to a room that has one asks nothing more. */
class RoomsTest {
    private final FakeTicker ticker = new FakeTicker();
    private final FakeConnector irc = FakeConnector.ircLike("irc", ticker);
    private final AtomicInteger capabilitiesAsked = new AtomicInteger();

    /** The IRC-like connector, counting how often its capabilities are asked. */
    private final Connector counting = new Connector() {
        @Override
        public String id() {
            return irc.id();
        }

        @Override
        public Capabilities capabilities() {
            capabilitiesAsked.incrementAndGet();
            return irc.capabilities();
        }

        @Override
        public void start(ChatEvent.Listener listener) {
            irc.start(listener);
        }

        @Override
        public MessageRef send(ChatAddress to, String text) {
            return irc.send(to, text);
        }

        @Override
        public void close() {
            irc.close();
        }
    };

    @Test
    void answersToARoomReuseItsPublisherWithoutAskingTheConnectorAgain() {
        Rooms rooms = new Rooms(Map.of("irc", counting), ticker, Redactor.NONE);
        ChatAddress releng = ChatAddress.of("irc", "#releng");
        rooms.reply(releng, List.of("you are irc:alice; no roles"));
        int made = capabilitiesAsked.get();
        assertThat(made).isPositive();

        rooms.reply(ChatAddress.of("irc", "#releng"), List.of("you are irc:bob; no roles"));
        rooms.reply(releng, List.of("you are irc:carol; no roles"));
        assertThat(capabilitiesAsked).hasValue(made);
        assertThat(rooms.publisher(releng)).containsSame(rooms.publisher(ChatAddress.of("irc", "#releng")).get());
        assertThat(irc.sent()).extracting(FakeConnector.Sent::text).containsExactly("you are irc:alice; no roles",
                "you are irc:bob; no roles", "you are irc:carol; no roles");
    }
}
