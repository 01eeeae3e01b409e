package org.buildduty.core.exec;

import java.util.Locale;

/** How one host run of a step ended. */
public enum StepOutcome {
    SUCCEEDED {
        @Override
        public boolean isFailure() {
            return false;
        }
    },
    FAILED,
    TIMED_OUT,
    CANCELLED,
    /** Never started: an earlier host failed with {@code on_host_failure: stop}, or the operation was cancelled. */
    SKIPPED {
        @Override
        public boolean isFailure() {
            return false;
        }

        @Override
        public boolean completed() {
            return false;
        }
    };

    /** True when this outcome fails the step. */
    public boolean isFailure() {
        return true;
    }

    /** True when the run happened (so its effects may need a rollback). */
    public boolean completed() {
        return true;
    }

    /** Lower-case name for chat. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
