package org.buildduty.core.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Set;

import org.junit.jupiter.api.Test;

class BotApiTest {
    /** The journal's writes that only the engine makes: operations, host runs, output, approvals, connector events. */
    private static final Set<String> ENGINE_WRITES = Set.of("nextOperationId", "operationCreated", "operationState",
            "hostStarted", "hostFinished", "approvalRequested", "approvalEvent", "connectorEvent");

    @Test
    void commandsReachTheJournalsHistoryAndStateRecordsButNotItsWrites() {
        for (Method m : BotApi.class.getMethods()) {
            for (Method reachable : m.getReturnType().getMethods()) {
                assertThat(ENGINE_WRITES).as("BotApi.%s() hands commands %s.%s", m.getName(),
                        m.getReturnType().getSimpleName(), reachable.getName()).doesNotContain(reachable.getName());
            }
        }
    }
}
