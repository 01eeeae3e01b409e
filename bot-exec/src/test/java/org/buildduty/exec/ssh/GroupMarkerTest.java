package org.buildduty.exec.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import org.buildduty.core.exec.LineSink;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.testing.RecordingExecContext;

/** The marker line is taken out of stderr, once, and everything else passes unchanged. */
class GroupMarkerTest {
    private final RecordingExecContext context = new RecordingExecContext();
    private final AtomicReference<String> last = new AtomicReference<>("");
    private final GroupMarker marker = new GroupMarker("bd-pgid-00ff", new LineSink(OutputChannel.STDERR, context,
            last));

    private void write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        // One byte at a time, as the worst split JSch could deliver.
        for (byte b : bytes) {
            marker.write(b);
        }
    }

    @Test
    void wrapsTheCommandUnchangedBehindThePrintfOnTheSameLine() {
        assertThat(marker.wrap("echo 'a b'\nexit 3")).isEqualTo("printf 'bd-pgid-00ff %s\\n' \"$$\" >&2; "
                + "echo 'a b'\nexit 3");
    }

    @Test
    void takesOutTheMarkerLineAndKeepsThePid() {
        write("shell start-up says hi\nbd-pgid-00ff 4242\nwarning: x\n");
        marker.finish();

        assertThat(marker.pgid()).isEqualTo(4242);
        assertThat(context.lines()).containsExactly("STDERR shell start-up says hi", "STDERR warning: x");
        assertThat(last.get()).isEqualTo("warning: x");
    }

    @Test
    void aCommandThatPrintsNothingOnStderrLeavesNoLastLine() {
        marker.write("bd-pgid-00ff 77\n".getBytes(StandardCharsets.US_ASCII), 0, 16);
        marker.finish();

        assertThat(marker.pgid()).isEqualTo(77);
        assertThat(context.lines()).isEmpty();
        assertThat(last.get()).isEmpty();
    }

    @Test
    void linesThatOnlyLookLikeTheMarkerPassUnchanged() {
        write("bd-pgid-00ff\nbd-pgid-00ff 12x\nbd-pgid-0 5\nbd-pgid-00ff 1\nbd-pgid-00ff 99999999999\n");
        write("bd-pgid-00ff 31\nbd-pgid-00ff 32\npartial bd-pgid");
        marker.finish();

        assertThat(marker.pgid()).as("the first real marker counts").isEqualTo(31);
        assertThat(context.lines()).containsExactly("STDERR bd-pgid-00ff", "STDERR bd-pgid-00ff 12x",
                "STDERR bd-pgid-0 5", "STDERR bd-pgid-00ff 1", "STDERR bd-pgid-00ff 99999999999",
                "STDERR bd-pgid-00ff 32", "STDERR partial bd-pgid");
    }

    @Test
    void aHeldBackPrefixIsReportedAtTheEnd() {
        write("bd-pgid-00ff 12");
        marker.finish();

        assertThat(marker.pgid()).isZero();
        assertThat(context.lines()).containsExactly("STDERR bd-pgid-00ff 12");
    }

    @Test
    void theRandomTagIsFreshPerRun() {
        GroupMarker other = new GroupMarker(new LineSink(OutputChannel.STDERR, context, last));
        GroupMarker third = new GroupMarker(new LineSink(OutputChannel.STDERR, context, last));

        assertThat(other.wrap("true")).matches("printf 'bd-pgid-[0-9a-f]{16} %s\\\\n' \"\\$\\$\" >&2; true")
                .isNotEqualTo(third.wrap("true"));
    }
}
