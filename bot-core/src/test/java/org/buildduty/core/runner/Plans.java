package org.buildduty.core.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.Operation;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;

/** Builds operations and steps for runner tests. */
final class Plans {
    static final Duration WAIT = Duration.ofSeconds(5);

    private Plans() {
    }

    static Operation op(long id, StepSpec... steps) {
        OperationPlan plan = new OperationPlan("demo", Map.of(), List.of(steps), ApprovalPolicy.NONE, "hosts");
        return new Operation(new OperationId(id), plan, Identity.parse("console:local"),
                ChatAddress.of("console", "local"), Instant.parse("2026-11-21T09:00:00Z"), OperationState.QUEUED);
    }

    static Operation op(long id, Step... steps) {
        StepSpec[] specs = new StepSpec[steps.length];
        for (int i = 0; i < steps.length; i++) {
            specs[i] = steps[i].build();
        }
        return op(id, specs);
    }

    /** A fluent StepSpec maker: kind {@code fake}, no hosts, parallel 1, stop on failure. */
    static Step step(String name) {
        return new Step(name);
    }

    static List<String> hosts(int n) {
        List<String> hosts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            hosts.add(String.format("bm%02d", i));
        }
        return hosts;
    }

    static final class Step {
        private final String name;
        private String kind = "fake";
        private Map<String, Object> args = Map.of();
        private List<String> hosts = List.of();
        private int parallel = 1;
        private Duration timeout;
        private Duration stuckAfter;
        private OnHostFailure onHostFailure = OnHostFailure.STOP;
        private StepSpec rollback;
        private int retries;
        private Duration retryDelay;

        Step(String name) {
            this.name = name;
        }

        Step kind(String value) {
            kind = value;
            return this;
        }

        Step args(Map<String, Object> value) {
            args = value;
            return this;
        }

        Step hosts(String... value) {
            hosts = List.of(value);
            return this;
        }

        Step hosts(List<String> value) {
            hosts = value;
            return this;
        }

        Step parallel(int value) {
            parallel = value;
            return this;
        }

        Step timeout(Duration value) {
            timeout = value;
            return this;
        }

        Step stuckAfter(Duration value) {
            stuckAfter = value;
            return this;
        }

        Step onHostFailure(OnHostFailure value) {
            onHostFailure = value;
            return this;
        }

        Step retries(int count, Duration delay) {
            retries = count;
            retryDelay = delay;
            return this;
        }

        Step rollback(Step value) {
            rollback = value.build();
            return this;
        }

        StepSpec build() {
            return new StepSpec(name, kind, args, hosts, parallel, timeout, stuckAfter, onHostFailure, rollback,
                    retries, retryDelay);
        }
    }
}
