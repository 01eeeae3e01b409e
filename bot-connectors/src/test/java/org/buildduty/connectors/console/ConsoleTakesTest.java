package org.buildduty.connectors.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.time.Ticker;

class ConsoleTakesTest {
    @Test
    void theTerminalTakesAnyRoomButNoStreamTopic() {
        ConsoleConnector c = new ConsoleConnector("console", new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Ticker.system(), () -> { });
        assertThat(c.takes(ChatAddress.of("console", "#releng"))).isTrue();
        assertThat(c.takes(ChatAddress.of("console", "anything"))).isTrue();
        assertThat(c.takes(new ChatAddress("console", "Engineering", "buildbot"))).isFalse();
    }
}
