package org.buildduty.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;

/** A step's retries survive the journal, and a plan journaled before retries existed reads as never retried. */
class PlanCodecRetriesTest {
    @Test
    void retriesRoundTripAndAnOldPlanHasNone() {
        StepSpec step = new StepSpec("deploy", "ssh", Map.of("command", "x"), List.of("bm01"), 1, null, null,
                OnHostFailure.STOP, null, 3, Duration.ofSeconds(30));
        OperationPlan plan = new OperationPlan("deploy", Map.of(), List.of(step), ApprovalPolicy.NONE, "hosts");
        assertThat(PlanCodec.decode(PlanCodec.encode(plan))).isEqualTo(plan);

        String old = "{\"kind\":\"deploy\",\"unit\":\"hosts\",\"params\":{},\"approval\":{\"role\":\"\","
                + "\"required\":0,\"self_approve\":false,\"timeout\":\"PT15M\"},\"steps\":[{\"name\":\"deploy\","
                + "\"kind\":\"ssh\",\"args\":{\"command\":\"x\"},\"hosts\":[\"bm01\"],\"parallel\":1,"
                + "\"timeout\":null,\"stuck_after\":null,\"on_host_failure\":\"STOP\",\"rollback\":null}],"
                + "\"on_restart\":\"REPORT\"}";
        StepSpec decoded = PlanCodec.decode(old).steps().get(0);
        assertThat(decoded.retries()).isZero();
        assertThat(decoded.retryDelay()).isEqualTo(Duration.ZERO);
    }
}
