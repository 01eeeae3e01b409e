package org.buildduty.connectors.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.buildduty.connectors.matrix.MatrixFixture.ALICE;
import static org.buildduty.connectors.matrix.MatrixFixture.BOT;
import static org.buildduty.connectors.matrix.MatrixFixture.ROOM;
import static org.buildduty.connectors.matrix.MatrixFixture.TOKEN;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.connectors.testing.FakeMatrixServer;
import org.buildduty.connectors.testing.RecordingListener;
import org.buildduty.core.BuilddutyException;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;

/** The sync side of the Matrix connector against the fake homeserver: messages, invites, restarts, auth. */
class MatrixConnectorTest {
    private MatrixFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new MatrixFixture();
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void freshStartSkipsHistoryThenDeliversMessagesWithIdentityThreadAndEventId() throws Exception {
        FakeMatrixServer hs = fx.hs;
        hs.say(ROOM, ALICE, "!run old-command");   // not visible: the bot is not in the room yet
        RecordingListener l = new RecordingListener();
        MatrixConnector c = fx.start(l);
        assertThat(hs.joinedRooms()).containsExactly(ROOM);
        hs.say(ROOM, ALICE, "!run before-first-sync");
        // (the first sync may or may not have seen it; history is skipped either way, checked below on restart)

        String id = hs.say(ROOM, ALICE, "!whoami");
        ChatMessage m = l.message(x -> x.text().equals("!whoami"));
        assertThat(m.sender()).isEqualTo(new Identity("matrix", ALICE));
        assertThat(m.sender().toString()).isEqualTo("matrix:@alice:fake.test");
        assertThat(m.room()).isEqualTo(ChatAddress.of("matrix", ROOM));
        assertThat(m.messageId()).isEqualTo(id);
        assertThat(m.direct()).isFalse();
        assertThat(m.receivedAt()).isEqualTo(fx.ticker.now());

        String inThread = hs.sayInThread(ROOM, ALICE, "!ops", id);
        ChatMessage t = l.message(x -> x.text().equals("!ops"));
        assertThat(t.room()).isEqualTo(new ChatAddress("matrix", ROOM, id));
        assertThat(t.messageId()).isEqualTo(inThread);

        c.send(ChatAddress.of("matrix", ROOM), "!run echo-of-the-bot");
        ObjectNode notice = JsonNodeFactory.instance.objectNode().put("msgtype", "m.notice").put("body", "!run x");
        hs.post(ROOM, "@otherbot:fake.test", notice);
        ObjectNode edit = JsonNodeFactory.instance.objectNode().put("msgtype", "m.text").put("body", "* !run y");
        edit.putObject("m.relates_to").put("rel_type", "m.replace").put("event_id", id);
        hs.post(ROOM, ALICE, edit);
        hs.say(ROOM, ALICE, "> <@bob:fake.test> earlier\n\n!last");
        l.message(x -> x.text().equals("!last"));
        assertThat(l.messages()).extracting(ChatMessage::text).doesNotContain("!run old-command",
                "!run echo-of-the-bot", "!run x", "* !run y");
        assertThat(l.states()).containsExactly(ConnectionChanged.State.CONNECTED);
    }

    @Test
    void aRestartWithTheSameStoreNeverReplaysAndResumesWhereItStopped() throws Exception {
        RecordingListener first = new RecordingListener();
        MatrixConnector c1 = fx.start(first);
        fx.hs.say(ROOM, ALICE, "!run once");
        first.message(m -> m.text().equals("!run once"));
        fx.settle();
        c1.close();
        assertThat(first.states()).endsWith(ConnectionChanged.State.CLOSED);
        String stored = fx.store.load().orElseThrow();

        fx.hs.say(ROOM, ALICE, "!said while the bot was down");
        RecordingListener second = new RecordingListener();
        fx.start(second);
        second.message(m -> m.text().equals("!said while the bot was down"));
        fx.hs.say(ROOM, ALICE, "!after");
        second.message(m -> m.text().equals("!after"));
        assertThat(second.messages()).extracting(ChatMessage::text)
                .containsExactly("!said while the bot was down", "!after");
        assertThat(fx.hs.requests()).anyMatch(r -> r.target().contains("since=" + stored));
    }

    @Test
    void theFirstSyncOfAFreshStoreSkipsHistoryInTheTimeline() throws Exception {
        RecordingListener l = new RecordingListener();
        MatrixConnector c = fx.start(l);   // joins the room
        c.close();
        fx.hs.say(ROOM, ALICE, "!run history");
        SyncTokenStore fresh = SyncTokenStore.inMemory();
        RecordingListener again = new RecordingListener();
        MatrixConnector c2 = new MatrixConnector(fx.config().build(), fresh, fx.ticker, fx.sleeper, () -> 0.5);
        try {
            c2.start(again);
            c2.awaitConnected(Duration.ofSeconds(10));
            fx.hs.say(ROOM, ALICE, "!new");
            again.message(m -> m.text().equals("!new"));
            assertThat(again.messages()).extracting(ChatMessage::text).containsExactly("!new");
            assertThat(fresh.load()).isPresent();
        } finally {
            c2.close();
        }
    }

    @Test
    void invitesAreAcceptedOnlyFromAllowedUsersEvenToAConfiguredRoom() throws Exception {
        String dm = "!dm:fake.test";
        String configuredLater = "!later:fake.test";
        String spam = "!spam:fake.test";
        fx.hs.forbiddenRoom(configuredLater);
        RecordingListener l = new RecordingListener();
        fx.start(l, b -> b.rooms(List.of(ROOM, configuredLater)).allowInvitesFrom(List.of(ALICE)));
        assertThat(fx.hs.joinedRooms()).containsExactly(ROOM);   // the refused join was only a warning

        fx.hs.invite(spam, "@mallory:fake.test", false);
        fx.hs.invite(configuredLater, "@bob:fake.test", false);
        fx.hs.invite(dm, ALICE, true);
        fx.settle();
        assertThat(fx.hs.joinedRooms()).containsExactlyInAnyOrder(ROOM, dm);

        fx.hs.invite(configuredLater, ALICE, false);
        fx.settle();
        assertThat(fx.hs.joinedRooms()).containsExactlyInAnyOrder(ROOM, dm, configuredLater);
        fx.hs.say(dm, ALICE, "whoami");
        ChatMessage m = l.message(x -> x.text().equals("whoami"));
        assertThat(m.direct()).isTrue();
        fx.hs.say(configuredLater, ALICE, "!ping");
        assertThat(l.message(x -> x.text().equals("!ping")).direct()).isFalse();
    }

    @Test
    void aReInviteIntoAConfiguredRoomDoesNotReplayWhatWasSaidBeforeTheJoin() throws Exception {
        RecordingListener l = new RecordingListener();
        fx.start(l, b -> b.allowInvitesFrom(List.of(ALICE)));
        fx.hs.kick(ROOM, ALICE);
        fx.settle();
        fx.hs.say(ROOM, ALICE, "!run said-while-the-bot-was-out");   // recent, but before the bot's join
        fx.hs.invite(ROOM, ALICE, false);
        fx.settle();
        assertThat(fx.hs.joinedRooms()).containsExactly(ROOM);
        fx.hs.say(ROOM, ALICE, "!after-the-join");
        l.message(m -> m.text().equals("!after-the-join"));
        assertThat(l.messages()).extracting(ChatMessage::text).containsExactly("!after-the-join");
    }

    @Test
    void aRoomAddedToTheConfigurationDoesNotReplayItsHistory() throws Exception {
        String added = "!added:fake.test";
        fx.hs.createRoom(added, 4);
        fx.hs.say(added, ALICE, "!run an-hour-ago");
        fx.ticker.advance(Duration.ofMinutes(50));
        fx.hs.say(added, ALICE, "!run ten-minutes-ago");
        fx.ticker.advance(Duration.ofMinutes(10));
        RecordingListener first = new RecordingListener();
        MatrixConnector c1 = fx.start(first);
        fx.settle();
        c1.close();

        RecordingListener second = new RecordingListener();
        fx.start(second, b -> b.rooms(List.of(ROOM, added)));   // the same journal, one more room
        assertThat(fx.hs.joinedRooms()).containsExactlyInAnyOrder(ROOM, added);
        fx.hs.say(added, ALICE, "!now");
        second.message(m -> m.text().equals("!now"));
        fx.settle();
        assertThat(second.messages()).extracting(ChatMessage::text).containsExactly("!now");
    }

    @Test
    void messagesOlderThanTheCatchUpWindowAreNotHandledEvenWithoutAJoinEvent() throws Exception {
        RecordingListener l = new RecordingListener();
        MatrixConnector c = fx.start(l);
        fx.settle();
        c.close();
        fx.hs.say(ROOM, ALICE, "!run long-ago");
        fx.ticker.advance(Duration.ofMinutes(10).plusSeconds(1));
        fx.hs.say(ROOM, ALICE, "!run recent");
        RecordingListener again = new RecordingListener();
        fx.start(again);
        again.message(m -> m.text().equals("!run recent"));
        fx.settle();
        assertThat(again.messages()).extracting(ChatMessage::text).containsExactly("!run recent");
    }

    @Test
    void aRejectedTokenIsOneFinalLineAndTheLoopStops() throws Exception {
        fx.hs.revokeToken();
        RecordingListener l = new RecordingListener();
        MatrixConnector c = fx.startOnly(l, b -> b);
        ConnectionChanged failed = l.state(ConnectionChanged.State.FAILED);
        assertThat(failed.detail()).contains("rejected the access token").contains("M_UNKNOWN_TOKEN")
                .contains("Invalid access token passed.").doesNotContain("\n").doesNotContain(TOKEN);
        assertThatThrownBy(() -> c.awaitConnected(Duration.ofSeconds(5))).isInstanceOf(BuilddutyException.class)
                .hasMessageStartingWith("Matrix matrix: the homeserver rejected the access token");
        assertThat(c.healthy()).isFalse();
        int requests = fx.hs.requests().size();
        Thread.sleep(300);
        assertThat(fx.hs.requests()).hasSize(requests);
        assertThat(l.states()).containsExactly(ConnectionChanged.State.FAILED);
    }

    @Test
    void aTokenRevokedWhileRunningFailsTheConnector() throws Exception {
        RecordingListener l = new RecordingListener();
        MatrixConnector c = fx.start(l);
        fx.hs.revokeToken();
        assertThat(l.state(ConnectionChanged.State.FAILED).detail()).contains("M_UNKNOWN_TOKEN");
        Thread.sleep(50);   // the state is set just after the listener has seen the event
        assertThat(c.healthy()).isFalse();
    }

    @Test
    void passwordLoginReusesTheDeviceIdAndSendsTheTokenOnlyInTheHeader() throws Exception {
        fx.hs.passwordLogin("hunter22", "issued_token_99");
        RecordingListener l = new RecordingListener();
        fx.start(l, b -> b.accessToken(null).password("hunter22").deviceId("BOTDEVICE"));
        assertThat(fx.hs.logins()).singleElement().satisfies(body -> {
            assertThat(body.path("type").asText()).isEqualTo("m.login.password");
            assertThat(body.path("identifier").path("user").asText()).isEqualTo(BOT);
            assertThat(body.path("device_id").asText()).isEqualTo("BOTDEVICE");
        });
        fx.hs.say(ROOM, ALICE, "!whoami");
        l.message(m -> m.text().equals("!whoami"));
        assertThat(fx.hs.requests()).filteredOn(r -> !r.target().endsWith("/login"))
                .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer issued_token_99"))
                .noneSatisfy(r -> assertThat(r.target()).contains("issued_token_99"));
    }

    @Test
    void aRefusedLoginFailsWithOneLine() throws Exception {
        fx.hs.passwordLogin("right", "tok");
        RecordingListener l = new RecordingListener();
        MatrixConnector c = fx.startOnly(l, b -> b.accessToken(null).password("wrong"));
        assertThat(l.state(ConnectionChanged.State.FAILED).detail()).contains("refused the login")
                .contains("M_FORBIDDEN").doesNotContain("wrong");
        assertThatThrownBy(() -> c.awaitConnected(Duration.ofSeconds(5))).hasMessageContaining("refused the login");
        assertThat(c.healthy()).isFalse();
        assertThat(fx.hs.logins()).hasSize(1);
    }

    @Test
    void droppedSyncsBackOffAndResumeFromTheStoredPositionWithoutLossOrRepeat() throws Exception {
        RecordingListener l = new RecordingListener();
        fx.start(l);
        fx.hs.say(ROOM, ALICE, "!one");
        l.message(m -> m.text().equals("!one"));
        fx.settle();
        int waits = fx.sleeper.waits.size();
        fx.hs.dropSyncs(3);
        fx.hs.say(ROOM, ALICE, "!two");   // answers the poll already held; the next three polls are dropped
        l.message(m -> m.text().equals("!two"));
        fx.settle();
        fx.hs.say(ROOM, ALICE, "!three");
        l.message(m -> m.text().equals("!three"));
        assertThat(l.messages()).extracting(ChatMessage::text).containsExactly("!one", "!two", "!three");
        assertThat(l.states()).containsExactly(ConnectionChanged.State.CONNECTED,
                ConnectionChanged.State.RECONNECTING, ConnectionChanged.State.RECONNECTING,
                ConnectionChanged.State.RECONNECTING, ConnectionChanged.State.CONNECTED);
        // exponential from 100 ms with the jitter factor fixed at 0.75
        assertThat(fx.sleeper.waits.subList(waits, waits + 3))
                .containsExactly(Duration.ofMillis(75), Duration.ofMillis(150), Duration.ofMillis(300));
    }
}
