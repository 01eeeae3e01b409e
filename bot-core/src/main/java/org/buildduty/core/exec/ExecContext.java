package org.buildduty.core.exec;

/**
 * What a running step can tell the runner, and how the runner stops it.
 *
 * <p>Executors report each output line as it arrives, and register a cancel hook that stops the work (kills the
 * process, closes the channel). After a cancel the executor returns promptly with whatever result it has.
 */
public interface ExecContext {
    /** Reports one line of output (without its line terminator). Fast; never throws. */
    void output(OutputChannel stream, String line);

    /** True once the run was cancelled (by the user, a timeout, or shutdown). */
    boolean cancelled();

    /** Runs {@code hook} when the run is cancelled; at once if it already was. */
    void onCancel(Runnable hook);
}
