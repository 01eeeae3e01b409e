package org.buildduty.core.pipeline;

import java.util.List;
import java.util.Optional;

import org.buildduty.core.NotAllowedException;
import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.command.ParsedArgs;
import org.buildduty.core.parse.CloseMatch;
import org.buildduty.core.parse.OptionsParser;
import org.buildduty.core.parse.Tokenizer;

/**
 * One message through the command pipeline: address → tokenize → look up → authorize → parse options → handle →
 * reply or plan. Authorization comes before option parsing, so a caller without the role learns nothing about a
 * command's options from its errors.
 */
final class Dispatcher {
    private final Engine engine;
    private final CommandRegistry registry;
    private final Authorizer authorizer;
    private final Operations operations;

    Dispatcher(Engine engine, CommandRegistry registry, Authorizer authorizer, Operations operations) {
        this.engine = engine;
        this.registry = registry;
        this.authorizer = authorizer;
        this.operations = operations;
    }

    /** The lines to answer with; empty when the message was not for the bot. Throws user-facing errors. */
    Optional<List<String>> dispatch(ChatMessage m, String prefix, String nick) {
        Optional<String> text = Addressing.commandText(m, prefix, nick);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        List<String> tokens = Tokenizer.tokenize(text.get());
        if (tokens.isEmpty()) {
            return Optional.empty();
        }
        CommandRegistry.Match match = registry.lookup(tokens)
                .orElseThrow(() -> CloseMatch.unknown(tokens.get(0), registry.names()));
        CommandSpec spec = match.spec();
        Authorizer.Decision decision = authorizer.decide(m.sender(), spec);
        if (!decision.allowed()) {
            throw new NotAllowedException("not allowed: " + decision.reason());
        }
        ParsedArgs args = OptionsParser.parse(spec, tokens.subList(match.nameTokens(), tokens.size()));
        CommandContext ctx = new CommandContext(m, spec, args, engine.rolesOf(m.sender()), engine);
        Outcome outcome = spec.handler().handle(ctx);
        if (outcome instanceof Outcome.Reply) {
            return Optional.of(((Outcome.Reply) outcome).lines());
        }
        return Optional.of(operations.create(((Outcome.Planned) outcome).plan(), m));
    }
}
