package org.buildduty.commands.announce;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.buildduty.core.UnknownTargetException;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.LateAnnouncer;
import org.buildduty.core.exec.ExecRequest;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.testing.RecordingExecContext;

class AnnounceExecutorTest {
    /** Posts to {@code chat:<room>} for rooms starting with '#', refuses others; records what it posted. */
    static final class RecordingAnnouncer implements Announcer {
        final List<String> posted = new ArrayList<>();

        @Override
        public ChatAddress resolve(String target, String fromConnectorId) {
            if (!target.startsWith("#")) {
                throw new UnknownTargetException("no connector can post to \"" + target + "\"; connectors: chat");
            }
            return ChatAddress.of("chat", target);
        }

        @Override
        public void announce(ChatAddress to, String text) {
            posted.add(to + " " + text);
        }
    }

    private static ExecRequest request(Map<String, Object> args, Map<String, String> vars) {
        return new ExecRequest(new OperationId(17), StepSpec.of("tell", "announce", args), null,
                Duration.ofSeconds(5), vars);
    }

    @Test
    void postsTheBoundTextWithoutEscaping() {
        RecordingAnnouncer rec = new RecordingAnnouncer();
        LateAnnouncer late = new LateAnnouncer();
        late.bind(rec);
        RecordingExecContext ctx = new RecordingExecContext();
        StepResult r = new AnnounceExecutor(late).execute(request(Map.of("to", "#{{room}}",
                "text", "op {{operation}}: it's \"{{what}}\" & <done>"), Map.of("room", "ops", "what", "a\nb")), ctx);
        assertThat(r.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(r.lastLine()).isEqualTo("announced in chat:#ops");
        assertThat(rec.posted).containsExactly("chat:#ops op 17: it's \"a b\" & <done>");
        assertThat(ctx.lines(OutputChannel.STDOUT)).containsExactly("announced in chat:#ops");
    }

    @Test
    void anUnknownTargetOrAnUnboundAnnouncerFailsTheStepWithOneLine() {
        LateAnnouncer late = new LateAnnouncer();
        AnnounceExecutor ex = new AnnounceExecutor(late);
        StepResult unbound = ex.execute(request(Map.of("to", "#ops", "text", "hi"), Map.of()),
                new RecordingExecContext());
        assertThat(unbound.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(unbound.reason()).isEqualTo("announcements are not available: the bot has no connectors yet");
        late.bind(new RecordingAnnouncer());
        StepResult unknown = ex.execute(request(Map.of("to", "ops", "text", "hi"), Map.of()),
                new RecordingExecContext());
        assertThat(unknown.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(unknown.summary()).isEqualTo("failed - no connector can post to \"ops\"; connectors: chat");
        StepResult tooLong = ex.execute(request(Map.of("to", "#ops", "text", "{{x}}"), Map.of("x", "y".repeat(401))),
                new RecordingExecContext());
        assertThat(tooLong.reason()).isEqualTo("the announcement is 401 characters; it must be 1 to 400");
    }

    @Test
    void argumentsAreCheckedAtLoad() {
        AnnounceExecutor ex = new AnnounceExecutor(new LateAnnouncer());
        assertThat(ex.validateArgs(Map.of("to", "irc:#releng", "text", "hello {{operation}}"))).isEmpty();
        assertThat(ex.validateArgs(Map.of("to", "{{room}}", "text", "hi"))).isEmpty();
        assertThat(ex.validateArgs(Map.of("text", "hi", "colour", "red"))).containsOnlyKeys("to", "colour");
        assertThat(ex.validateArgs(Map.of("to", "two words", "text", "x".repeat(401))))
                .containsEntry("to", "not an announcement target: \"two words\"; write [connector:]room, e.g. "
                        + "#releng, irc:#releng or stream > topic")
                .containsEntry("text", "at most 400 characters, not 401");
        assertThat(ex.validateArgs(Map.of("to", "#ops", "text", List.of("a")))).containsOnlyKeys("text");
    }
}
