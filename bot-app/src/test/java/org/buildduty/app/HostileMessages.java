package org.buildduty.app;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.cli.Option;

import org.buildduty.app.hostile.HostileInputs;
import org.buildduty.commands.runbook.Runbook;
import org.buildduty.core.UsageException;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.param.ParamSpec;
import org.buildduty.core.parse.Tokenizer;

/**
 * The chat lines that carry one payload into every command a registry holds: as a positional (typed raw and
 * quoted), as {@code --option=payload} and {@code --option 'payload'} for each option, and for {@code run} and
 * runbook aliases, each runbook parameter the same way.
 */
final class HostileMessages {
    private HostileMessages() {
    }

    /** Every message for {@code payload}, without duplicates, in a stable order. */
    static List<String> forPayload(CommandRegistry registry, List<Runbook> runbooks, String payload) {
        Set<String> out = new LinkedHashSet<>();
        String q = HostileInputs.quoted(payload);
        out.add(payload);
        for (CommandSpec spec : registry.all()) {
            String name = spec.name();
            out.add(name + " " + payload);
            out.add(name + " " + q);
            Optional<Runbook> aliased = runbooks.stream().filter(rb -> rb.alias().equals(name)).findFirst();
            if (aliased.isPresent()) {
                addParams(out, name, aliased.get(), payload);
                continue;
            }
            for (Option o : spec.options().getOptions()) {
                if (o.getLongOpt() == null) {
                    continue;
                }
                out.add(name + " --" + o.getLongOpt() + "=" + payload);
                if (o.hasArg()) {
                    out.add(name + " --" + o.getLongOpt() + " " + q);
                }
            }
            if (name.equals("run")) {
                for (Runbook rb : runbooks) {
                    out.add("run " + rb.name() + " " + payload);
                    addParams(out, "run " + rb.name(), rb, payload);
                }
                out.add("run hostile --" + payload + "=x");
            }
        }
        return new ArrayList<>(out);
    }

    private static void addParams(Set<String> out, String head, Runbook rb, String payload) {
        // the demo runbook pauses 1 s between lines unless told otherwise
        String tail = rb.param("pause").isPresent() ? " --pause 0" : "";
        for (ParamSpec p : rb.params()) {
            String opt = Runbook.option(p);
            String t = opt.equals("pause") ? "" : tail;
            out.add(head + " --" + opt + "=" + payload + t);
            out.add(head + " --" + opt + " " + HostileInputs.quoted(payload) + t);
        }
    }

    /**
     * The value {@code --msg} of {@code run hostile} gets from {@code message} once the bot's tokenizer split it, or
     * empty when the message is not such a run or cannot be tokenized.
     */
    static Optional<String> hostileMsg(String message) {
        return runMsg(message, "hostile");
    }

    /**
     * The value {@code --msg} of {@code run <runbook>} gets from {@code message}, {@code none} when it is not
     * given, or empty when the message is not such a run or cannot be tokenized.
     */
    static Optional<String> runMsg(String message, String runbook) {
        List<String> tokens;
        try {
            tokens = Tokenizer.tokenize(message);
        } catch (UsageException e) {
            return Optional.empty();
        }
        if (tokens.size() < 3 || !tokens.get(0).equals("run") || !tokens.get(1).equals(runbook)) {
            return Optional.empty();
        }
        for (int i = 2; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("--msg") && i + 1 < tokens.size()) {
                return Optional.of(tokens.get(i + 1));
            }
            if (t.startsWith("--msg=")) {
                return Optional.of(t.substring("--msg=".length()));
            }
        }
        return Optional.of("none");
    }
}
