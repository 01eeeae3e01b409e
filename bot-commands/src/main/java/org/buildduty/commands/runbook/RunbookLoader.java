package org.buildduty.commands.runbook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.buildduty.core.config.ConfigException;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigProblems;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.param.Inventory;

/**
 * Loads every {@code *.yml} and {@code *.yaml} file of the runbook folder (not its subfolders), in file name order,
 * and reports every problem of every file at once, one line each ({@code file:line: field: message}).
 *
 * <pre>{@code
 * List<Runbook> runbooks = RunbookLoader.loadAll(Path.of("config/runbooks"), RunbookLoader.STANDARD_KINDS,
 *         List.of(localExecutor, sshExecutor), inventory);
 * }</pre>
 *
 * <p>A runbook file has {@code name}, {@code role} (a role name, or {@code anyone}: a runbook must say who may
 * start it) and {@code steps}, and may have {@code alias}, {@code description}, {@code unit} (what the status line
 * counts; default {@code hosts} when a step has hosts, else {@code steps}), {@code approval {role, required,
 * self_approve, timeout}} ({@code required} defaults to 1 and {@code role} to the runbook's role) and
 * {@code params {<name>: {type, default, choices, description, min, max, roots, allow_dash}}}. A step is
 * {@code - name: X} with exactly one kind key whose value maps arguments, plus {@code timeout}, {@code stuck_after},
 * {@code on_host_failure} and {@code rollback} (a step without its own rollback; a local or ssh rollback without
 * hosts runs on its step's hosts). {@code local} and {@code ssh} steps keep {@code hosts} and {@code parallel}
 * inside their kind map and need a {@code command}.
 *
 * <p>Placeholders: {@code {{param}}} must name a declared parameter; {@code {{host}}} (the current host) is allowed
 * only in the command of a step with hosts; {@code {{operation}}} (the operation number) anywhere in arguments.
 * In a command a placeholder must stand bare: not inside quotes or backquotes (write {@code $(...)}), not after
 * {@code \} or {@code $}, and not in a command with a here-document. In a string {@code body} a placeholder outside
 * a JSON string must be an int or bool parameter (or {@code {{operation}}}). In a {@code url} no default or choice
 * of a parameter may be a dot segment ({@code .}, {@code ..}, {@code %2e} forms). Defaults are validated, host and
 * group ones against the inventory.
 *
 * <p>{@code rooms: ["libera:#releng", "zulip:engineering"]} limits where the runbook (and its alias) starts: each
 * entry is {@code <connector-id>:<room>}, the room as that connector names it (IRC channel, Matrix room id, Zulip
 * stream, {@code console} for the console). Without it the runbook starts anywhere the bot is.
 */
public final class RunbookLoader {
    /** The step kinds the SPEC defines. */
    public static final Set<String> STANDARD_KINDS = Set.of("local", "ssh", "http", "announce", "wait_until",
            "confirm");

    private RunbookLoader() {
    }

    /**
     * All runbooks of the folder.
     *
     * @param stepKinds the step kinds the runner can run
     * @param validators executors whose {@link StepExecutor#validateArgs} checks the (template) arguments of their
     *     kind at load
     * @throws ConfigException with every problem found, when there is any, or when the folder does not exist
     */
    public static List<Runbook> loadAll(Path dir, Set<String> stepKinds, List<StepExecutor> validators,
            Inventory inventory) {
        return loadAll(dir, stepKinds, validators, inventory, Set.of());
    }

    /**
     * All runbooks of the folder, checking that every {@code rooms} entry names one of {@code connectorIds} (when
     * empty, only the entries' form is checked).
     *
     * @throws ConfigException with every problem found, when there is any, or when the folder does not exist
     */
    public static List<Runbook> loadAll(Path dir, Set<String> stepKinds, List<StepExecutor> validators,
            Inventory inventory, Set<String> connectorIds) {
        return loadAll(dir, stepKinds, Map.of(), validators, inventory, connectorIds);
    }

    /**
     * The same, where a step of a kind in {@code unavailable} is an error saying what it needs ({@code mbs} →
     * {@code needs services.mbs (not configured)}) rather than "unknown step kind", and an {@code announce} step's
     * {@code to} must name one of {@code connectorIds} when it names a connector.
     *
     * @param unavailable step kinds this bot cannot run as configured → what they need
     * @throws ConfigException with every problem found, when there is any, or when the folder does not exist
     */
    public static List<Runbook> loadAll(Path dir, Set<String> stepKinds, Map<String, String> unavailable,
            List<StepExecutor> validators, Inventory inventory, Set<String> connectorIds) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(dir + ": the runbook folder does not exist");
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new ConfigException(dir + ": cannot list the runbook folder: " + e.getMessage());
        }
        Map<String, StepExecutor> byKind = new HashMap<>();
        for (StepExecutor ex : validators) {
            byKind.put(ex.kind(), ex);
        }
        ConfigProblems problems = new ConfigProblems();
        List<Runbook> out = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, String> aliases = new HashMap<>();
        for (Path f : files) {
            Optional<ConfigNode> root = problems.check(() -> ConfigNode.load(f));
            if (root.isEmpty()) {
                continue;
            }
            ConfigProblems fileProblems = new ConfigProblems();
            Optional<Runbook> rb = new RunbookReader(root.get(), fileProblems, stepKinds, unavailable, byKind,
                    inventory, connectorIds).read();
            if (root.get().isMap()) {
                unique(root.get(), "name", "runbook name", names, fileProblems);
                unique(root.get(), "alias", "alias", aliases, fileProblems);
            }
            ConfigProblems.byLine(root.get().file(), fileProblems.errors()).forEach(problems::add);
            rb.ifPresent(out::add);
        }
        problems.throwIfAny();
        return List.copyOf(out);
    }

    /** All runbooks of the folder, with no executor validating arguments. */
    public static List<Runbook> loadAll(Path dir, Set<String> stepKinds, Inventory inventory) {
        return loadAll(dir, stepKinds, List.of(), inventory);
    }


    private static void unique(ConfigNode root, String key, String what, Map<String, String> seen,
            ConfigProblems problems) {
        Optional<ConfigNode> n = root.get(key).filter(ConfigNode::isScalar);
        if (n.isEmpty()) {
            return;
        }
        String value = n.get().string();
        String first = seen.putIfAbsent(value, root.file());
        if (first != null) {
            problems.add(n.get(), what + " \"" + value + "\" is already used in " + first);
        }
    }
}
