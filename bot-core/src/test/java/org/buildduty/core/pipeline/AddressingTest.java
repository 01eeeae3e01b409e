package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.Identity;

class AddressingTest {
    private static final String NICK = "buildduty";

    private static ChatMessage inRoom(String text) {
        return new ChatMessage(ChatAddress.of("irc", "#releng"), new Identity("irc", "alice"), "alice", text, false,
                Instant.EPOCH);
    }

    private static ChatMessage direct(String text) {
        return new ChatMessage(ChatAddress.of("irc", "alice"), new Identity("irc", "alice"), "alice", text, true,
                Instant.EPOCH);
    }

    private static Optional<String> room(String text) {
        return Addressing.commandText(inRoom(text), "!", NICK);
    }

    @Test
    void prefixAddressesTheBot() {
        assertThat(room("!help")).contains("help");
        assertThat(room("!ops --recent")).contains("ops --recent");
        assertThat(room("  !  help me  ")).contains("help me");
    }

    @Test
    void nickWithColonOrCommaAddressesTheBot() {
        assertThat(room("buildduty: help")).contains("help");
        assertThat(room("buildduty, ops --recent")).contains("ops --recent");
        assertThat(room("buildduty:help")).contains("help");
        assertThat(room("buildduty: !help")).contains("help");
    }

    @Test
    void nickIsCaseInsensitive() {
        assertThat(room("BuildDuty: help")).contains("help");
        assertThat(room("BUILDDUTY, whoami")).contains("whoami");
    }

    @ParameterizedTest
    @ValueSource(strings = {"help", "just chatting about buildduty", "buildduty help", "buildduty", "buildduty:",
        "buildduty:   ", "buildduty-ci: help", "buildduty2, help", "buildduty: !", "!!x", "!!", "!", "!   ", "",
        "   ", "? help", "x!help"})
    void notAddressedInARoom(String text) {
        assertThat(room(text)).isEmpty();
    }

    @Test
    void directMessagesNeedNoPrefix() {
        assertThat(Addressing.commandText(direct("help"), "!", NICK)).contains("help");
        assertThat(Addressing.commandText(direct("  ops --recent  "), "!", NICK)).contains("ops --recent");
        assertThat(Addressing.commandText(direct("!help"), "!", NICK)).contains("help");
        assertThat(Addressing.commandText(direct("buildduty: help"), "!", NICK)).contains("help");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t", "!!x", "!", "!!", "buildduty: !"})
    void blankOrDoublePrefixedDirectMessagesAreIgnored(String text) {
        assertThat(Addressing.commandText(direct(text), "!", NICK)).isEmpty();
    }

    @Test
    void otherPrefixes() {
        assertThat(Addressing.commandText(inRoom(".help"), ".", NICK)).contains("help");
        assertThat(Addressing.commandText(inRoom("!help"), ".", NICK)).isEmpty();
        assertThat(Addressing.commandText(inRoom("bd>> help"), "bd>>", NICK)).contains("help");
        assertThat(Addressing.commandText(inRoom("bd>>bd>> help"), "bd>>", NICK)).isEmpty();
    }

    @Test
    void emptyPrefixOnlyAnswersByNickOrDirectly() {
        assertThat(Addressing.commandText(inRoom("help"), "", NICK)).isEmpty();
        assertThat(Addressing.commandText(inRoom("buildduty: help"), "", NICK)).contains("help");
        assertThat(Addressing.commandText(direct("help"), "", NICK)).contains("help");
    }

    @Test
    void noNickOnlyAnswersByPrefixOrDirectly() {
        assertThat(Addressing.commandText(inRoom("buildduty: help"), "!", null)).isEmpty();
        assertThat(Addressing.commandText(inRoom("buildduty: help"), "!", "")).isEmpty();
        assertThat(Addressing.commandText(inRoom("!help"), "!", null)).contains("help");
        assertThat(Addressing.commandText(direct("help"), "!", null)).contains("help");
    }
}
