package org.buildduty.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.buildduty.core.NotAllowedException;
import org.buildduty.core.UnknownCommandException;
import org.buildduty.core.UserFacingException;
import org.buildduty.core.auth.Authorizer;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.command.BotApi;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandRegistry;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.command.ParsedArgs;
import org.buildduty.core.journal.JournalException;
import org.buildduty.core.metrics.BotMetrics;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.parse.CloseMatch;
import org.buildduty.core.parse.OptionsParser;
import org.buildduty.core.parse.Tokenizer;

/**
 * One message through the command pipeline: address → tokenize → look up → authorize → record as handled → parse
 * options → handle → reply or plan. Authorization comes before option parsing, so a caller without the role learns
 * nothing about a command's options from its errors. A message the chat gave an id is recorded in the journal before
 * its command runs, and dropped unanswered when it comes again ({@link HandledMessages}).
 */
final class Dispatcher {
    private final BotApi api;
    private final CommandRegistry registry;
    private final Authorizer authorizer;
    private final Planned planned;
    private final BotMetrics metrics;
    private final HandledMessages handled;

    /** Where a command's plan goes: it becomes an operation, and the answer lines say what happened to it. */
    @FunctionalInterface
    interface Planned {
        List<String> create(OperationPlan plan, ChatMessage m);
    }

    /**
     * @param api what a command's handler reaches through its context
     * @param planned what makes an operation of a plan ({@link Operations#create})
     * @param handled the messages taken as commands before, by id; a message among them is not handled again
     */
    Dispatcher(BotApi api, CommandRegistry registry, Authorizer authorizer, Planned planned, BotMetrics metrics,
            HandledMessages handled) {
        this.api = api;
        this.registry = registry;
        this.authorizer = authorizer;
        this.planned = planned;
        this.metrics = metrics;
        this.handled = handled;
    }

    /**
     * The lines to answer with; empty when the message was not for the bot, or was handled before (delivered again).
     * Throws user-facing errors, and {@link JournalException} when the message cannot be recorded as handled.
     */
    Optional<List<String>> dispatch(ChatMessage m, String prefix, String nick) {
        Optional<String> text = Addressing.commandText(m, prefix, nick);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        List<String> tokens = Tokenizer.tokenize(text.get());
        if (tokens.isEmpty()) {
            return Optional.empty();
        }
        Optional<CommandRegistry.Match> found = registry.lookup(tokens);
        if (found.isEmpty()) {
            metrics.command(BotMetrics.UNKNOWN_COMMAND, BotMetrics.CommandOutcome.UNKNOWN);
            Optional<String> notConfigured = registry.notConfigured(tokens);
            if (notConfigured.isPresent()) {
                throw new UnknownCommandException(notConfigured.get());
            }
            throw CloseMatch.unknown(tokens.get(0), registry.names());
        }
        CommandSpec spec = found.get().spec();
        try {
            authorize(m, spec);
            if (!handled.first(m)) {
                return Optional.empty();
            }
            Outcome outcome = handle(m, tokens, found.get());
            if (outcome instanceof Outcome.Reply reply) {
                metrics.command(spec.name(), BotMetrics.CommandOutcome.REPLIED);
                return Optional.of(reply.lines());
            }
            Outcome.Planned p = (Outcome.Planned) outcome;
            List<String> lines = noted(planned.create(p.plan(), m), p);
            metrics.command(spec.name(), BotMetrics.CommandOutcome.PLANNED);
            return Optional.of(lines);
        } catch (NotAllowedException e) {
            metrics.command(spec.name(), BotMetrics.CommandOutcome.NOT_ALLOWED);
            throw e;
        } catch (JournalException e) {
            metrics.command(spec.name(), BotMetrics.CommandOutcome.JOURNAL_FAILED);
            throw e;
        } catch (UserFacingException e) {
            metrics.command(spec.name(), BotMetrics.CommandOutcome.REFUSED);
            throw e;
        } catch (RuntimeException e) {
            metrics.command(spec.name(), BotMetrics.CommandOutcome.ERROR);
            throw e;
        }
    }

    /** Throws {@link NotAllowedException} unless the sender may run the command. */
    private void authorize(ChatMessage m, CommandSpec spec) {
        Authorizer.Decision decision = authorizer.decide(m.sender(), spec);
        if (!decision.allowed()) {
            throw new NotAllowedException("not allowed: " + decision.reason());
        }
    }

    /** Parses the options and runs the handler. */
    private Outcome handle(ChatMessage m, List<String> tokens, CommandRegistry.Match match) {
        CommandSpec spec = match.spec();
        ParsedArgs args = OptionsParser.parse(spec, tokens.subList(match.nameTokens(), tokens.size()));
        CommandContext ctx = new CommandContext(m, spec, args, authorizer.roles().rolesOf(m.sender()), api);
        return spec.handler().handle(ctx);
    }

    /** The answer with the plan's note after the new operation's title ({@code deploy #9}) in its first line. */
    private static List<String> noted(List<String> lines, Outcome.Planned p) {
        if (p.note().isEmpty() || lines.isEmpty()) {
            return lines;
        }
        List<String> out = new ArrayList<>(lines);
        Matcher title = Pattern.compile("^" + Pattern.quote(p.plan().kind()) + " #\\d+").matcher(out.get(0));
        if (title.find()) {
            out.set(0, title.group() + " " + p.note() + " ·" + out.get(0).substring(title.end()));
        } else {
            out.add(0, p.note());
        }
        return out;
    }
}
