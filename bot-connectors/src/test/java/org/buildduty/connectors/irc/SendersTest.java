package org.buildduty.connectors.irc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.Identity;

/**
 * Who sent a message on a network with {@code account-notify} and {@code extended-join} but no {@code account-tag}:
 * an account is trusted only while the server would report its change to the bot.
 */
class SendersTest {
    private final List<String> commands = new ArrayList<>();
    private final List<String> decided = new ArrayList<>();
    private final Senders senders = new Senders(IrcConfig.builder("irc", "127.0.0.1", 6667).nick("bot").build(),
            Set.of("account-notify", "extended-join"), new Senders.Out() {
                @Override
                public void message(IrcLine l, Identity who) {
                    decided.add(l.param(1) + " -> " + who.principal());
                }

                @Override
                public void command(String rawLine) {
                    commands.add(rawLine);
                }
            });

    private void privmsg(String source, String text) {
        senders.privmsg(IrcLine.parse(":" + source + " PRIVMSG bot :" + text));
    }

    /** The server's answer to {@code WHO nick %tuhna,471}: {@code account} 0 for none, null for no such nick. */
    private void whoAnswer(String nick, String user, String host, String account) {
        if (account != null) {
            assertThat(senders.whoxReply(IrcLine.parse(":irc.test 354 bot 471 " + user + " " + host + " " + nick + " "
                    + account))).isTrue();
        }
        assertThat(senders.whoEnded(nick)).isTrue();
    }

    private void botJoins(String channel, String... memberLines) {
        senders.joined(IrcLine.parse(":bot!bot@h JOIN " + channel + " botacct :bot"), true);
        assertThat(commands).last().isEqualTo("WHO " + channel + " %tcuhna,472");
        for (String m : memberLines) {
            assertThat(senders.whoxReply(IrcLine.parse(":irc.test 354 bot 472 " + channel + " " + m))).isTrue();
        }
        assertThat(senders.whoEnded(channel)).isTrue();
        commands.clear();
    }

    @Test
    void aWhoxAnswerForSomeoneInNoSharedChannelServesTheWaitingMessagesAndIsThenDropped() {
        privmsg("alice!a@h1", "whoami");
        privmsg("alice!a@h1", "op 1");
        assertThat(commands).containsExactly("WHO alice %tuhna,471");
        whoAnswer("alice", "a", "h1", "alice");
        assertThat(decided).containsExactly("whoami -> alice", "op 1 -> alice");

        // alice quits unseen (no shared channel); the next holder of the nick is asked about again
        privmsg("alice!m@h2", "run deploy");
        assertThat(commands).containsExactly("WHO alice %tuhna,471", "WHO alice %tuhna,471");
        whoAnswer("alice", "m", "h2", "0");
        assertThat(decided).last().isEqualTo("run deploy -> ?alice");
    }

    @Test
    void aWhoxAnswerForAnotherUserAtHostDoesNotServeTheMessage() {
        privmsg("alice!m@h2", "run deploy");
        // the nick changed hands between the message and the query: the answer is about someone else
        whoAnswer("alice", "a", "h1", "alice");
        assertThat(decided).containsExactly("run deploy -> ?alice");
        privmsg("bob!b@h3", "hi");
        whoAnswer("bob", null, null, null);
        assertThat(decided).last().isEqualTo("hi -> ?bob");
    }

    @Test
    void aChannelMemberIsTrustedFromTheCacheUntilTheBotIsKickedOrParts() {
        botJoins("#c", "a h1 alice alice", "c h3 carol 0");
        privmsg("alice!a@h1", "one");
        privmsg("carol!c@h3", "two");
        assertThat(decided).containsExactly("one -> alice", "two -> ?carol");
        assertThat(commands).isEmpty();

        // a message from the same nick at another user@host is not served from the cache
        privmsg("alice!x@h9", "three");
        assertThat(commands).containsExactly("WHO alice %tuhna,471");
        whoAnswer("alice", "a", "h1", "alice");
        assertThat(decided).last().isEqualTo("three -> ?alice");
        commands.clear();

        senders.selfLeft("#C");
        privmsg("alice!a@h1", "four");
        assertThat(commands).containsExactly("WHO alice %tuhna,471");
        whoAnswer("alice", "a", "h1", "alice");
        assertThat(decided).last().isEqualTo("four -> alice");
        privmsg("alice!a@h1", "five");
        assertThat(commands).hasSize(2);
    }

    @Test
    void membersOfAChannelTheBotStillSharesStayKnownAfterItLeavesAnother() {
        botJoins("#a", "a h1 alice alice");
        botJoins("#b", "a h1 alice alice", "d h4 dave dave");
        senders.selfLeft("#b");
        privmsg("alice!a@h1", "still here");
        privmsg("dave!d@h4", "only in b");
        assertThat(decided).containsExactly("still here -> alice");
        assertThat(commands).containsExactly("WHO dave %tuhna,471");
    }

    @Test
    void joinsPartsQuitsRenamesAndAccountLinesKeepTheCacheToSharedChannels() {
        botJoins("#c");
        senders.joined(IrcLine.parse(":bob!b@h5 JOIN #c bob :Bob"), false);
        privmsg("bob!b@h5", "joined");
        assertThat(decided).containsExactly("joined -> bob");

        senders.renamed("bob", "robert");
        privmsg("robert!b@h5", "renamed");
        whoAnswer("robert", "b", "h5", "bob");
        privmsg("robert!b@h5", "member under the new nick");
        assertThat(decided).last().isEqualTo("member under the new nick -> bob");
        assertThat(commands).hasSize(1);

        senders.account(IrcLine.parse(":robert!b@h5 ACCOUNT :*"));
        privmsg("robert!b@h5", "logged out");
        assertThat(decided).last().isEqualTo("logged out -> ?robert");

        senders.left("robert", "#c");
        senders.account(IrcLine.parse(":robert!b@h5 ACCOUNT :bob"));
        privmsg("robert!b@h5", "after part");
        assertThat(commands).hasSize(2);
        whoAnswer("robert", "b", "h5", "bob");
        privmsg("robert!b@h5", "still outside");
        assertThat(commands).hasSize(3);

        senders.joined(IrcLine.parse(":eve!e@h6 JOIN #c * :Eve"), false);
        senders.quit("eve");
        privmsg("eve!e@h6", "after quit");
        assertThat(commands).hasSize(4);
    }
}
