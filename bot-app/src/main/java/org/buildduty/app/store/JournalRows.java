package org.buildduty.app.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ConnectionChanged;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.exec.OutputChannel;
import org.buildduty.core.exec.StepOutcome;
import org.buildduty.core.exec.StepResult;
import org.buildduty.core.journal.ApprovalRecord;
import org.buildduty.core.journal.ConnectorEventRecord;
import org.buildduty.core.journal.HostRunRecord;
import org.buildduty.core.journal.OperationRecord;
import org.buildduty.core.journal.OutputLine;
import org.buildduty.core.journal.PlanCodec;
import org.buildduty.core.operation.OperationId;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.OperationState;
import org.buildduty.core.operation.StepSpec;

/** Maps journal rows to records and binds statement parameters; instants are ISO-8601 text. */
final class JournalRows {
    static final String OPERATION_COLUMNS = "id, requester, origin_connector, origin_room, origin_thread, plan_json, "
            + "state, created_at, started_at, ended_at, expires_at, detail";
    static final String HOST_RUN_COLUMNS = "step_index, step_name, host, rollback, started_at, ended_at, outcome, "
            + "exit_code, reason, last_line, kept";
    static final String OUTPUT_COLUMNS = "seq, step_index, host, stream, line, at";
    static final String APPROVAL_COLUMNS = "kind, who, reason, at, step";
    static final String CONNECTOR_EVENT_COLUMNS = "connector, state, detail, dropped_lines, at";
    /** The non-terminal states as an SQL list. */
    static final String UNFINISHED = Arrays.stream(OperationState.values()).filter(s -> !s.isTerminal())
            .map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "));
    /** The terminal states as an SQL list. */
    static final String ENDED = Arrays.stream(OperationState.values()).filter(OperationState::isTerminal)
            .map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "));

    private static final ObjectMapper JSON = new ObjectMapper();

    private JournalRows() {
    }

    /** Binds {@code values} in order; instants become text, booleans 0 or 1, identities their text form. */
    static PreparedStatement bind(PreparedStatement ps, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v instanceof Enum<?> e) {
                v = e.name();
            } else if (v instanceof Instant || v instanceof Identity) {
                v = v.toString();
            } else if (v instanceof Boolean b) {
                v = b ? 1 : 0;
            } else if (v instanceof OperationId id) {
                v = id.value();
            }
            ps.setObject(i + 1, v);
        }
        return ps;
    }

    static OperationRecord operation(ResultSet rs) throws SQLException {
        ChatAddress origin = new ChatAddress(rs.getString("origin_connector"), rs.getString("origin_room"),
                rs.getString("origin_thread"));
        String detail = rs.getString("detail");
        return new OperationRecord(new OperationId(rs.getLong("id")), PlanCodec.decode(rs.getString("plan_json")),
                Identity.parse(rs.getString("requester")), origin, instant(rs.getString("created_at")),
                OperationState.valueOf(rs.getString("state")), instant(rs.getString("started_at")),
                instant(rs.getString("ended_at")), instant(rs.getString("expires_at")), detail == null ? "" : detail);
    }

    static HostRunRecord hostRun(ResultSet rs) throws SQLException {
        String host = rs.getString("host");
        String outcome = rs.getString("outcome");
        StepResult result = null;
        if (outcome != null) {
            int exit = rs.getInt("exit_code");
            Integer exitCode = rs.wasNull() ? null : exit;
            result = new StepResult(StepOutcome.valueOf(outcome), host, exitCode, rs.getString("reason"),
                    rs.getString("last_line"), kept(rs.getString("kept")));
        }
        return new HostRunRecord(rs.getInt("step_index"), rs.getString("step_name"), host, rs.getInt("rollback") != 0,
                instant(rs.getString("started_at")), instant(rs.getString("ended_at")), result);
    }

    static OutputLine outputLine(ResultSet rs) throws SQLException {
        return new OutputLine(rs.getLong("seq"), rs.getInt("step_index"), rs.getString("host"),
                OutputChannel.valueOf(rs.getString("stream")), rs.getString("line"), instant(rs.getString("at")));
    }

    static ApprovalRecord approval(ResultSet rs) throws SQLException {
        String who = rs.getString("who");
        return new ApprovalRecord(ApprovalRecord.Kind.valueOf(rs.getString("kind")),
                who == null ? null : Identity.parse(who), rs.getString("reason"), instant(rs.getString("at")),
                rs.getInt("step"));
    }

    /** The values a host run kept for later steps, as stored: a JSON object, or NULL when it kept none. */
    static String kept(Map<String, String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode kept values", e);
        }
    }

    /** The kept values read back; empty for NULL (no values, or a row written before they were journaled). */
    static Map<String, String> kept(String json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot decode kept values", e);
        }
    }

    static ConnectorEventRecord connectorEvent(ResultSet rs) throws SQLException {
        return new ConnectorEventRecord(rs.getString("connector"), ConnectionChanged.State.valueOf(
                rs.getString("state")), rs.getString("detail"), rs.getLong("dropped_lines"),
                instant(rs.getString("at")));
    }

    static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }

    /** The name of step {@code index} (or of its rollback), or empty when the plan has no such step. */
    static String stepName(OperationPlan plan, int index, boolean rollback) {
        if (index < 0 || index >= plan.steps().size()) {
            return "";
        }
        StepSpec s = plan.steps().get(index);
        return rollback && s.rollback() != null ? s.rollback().name() : s.name();
    }
}
