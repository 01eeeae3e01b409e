package org.buildduty.commands.buildbot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.UsageException;
import org.buildduty.core.command.ApprovalRecheck;
import org.buildduty.core.command.CommandContext;
import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.command.ParsedArgs;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.operation.Exclusion;
import org.buildduty.core.operation.OnHostFailure;
import org.buildduty.core.operation.OperationPlan;
import org.buildduty.core.operation.StepSpec;
import org.buildduty.core.parse.Sanitize;

/**
 * {@code force <builder> (--branch B | --pr N) [--revision SHA] [--reason TEXT]}: a build through Buildbot's force
 * scheduler, followed to its result. Every value is checked before anything is called. The ref is resolved to a
 * commit with {@code git ls-remote} against the builder's configured repository and the build forced with that exact
 * revision, so what runs is what was shown. A pull request runs code from a fork on the workers: it needs one
 * approval by someone else, and if the ref moved by the time it is approved, it is not run and approval is asked
 * again for the new commit ({@link ApprovalRecheck}).
 */
final class ForceCommand {
    private static final Pattern PR = Pattern.compile("[1-9][0-9]{0,8}");
    private static final Pattern REVISION = Pattern.compile("[0-9a-f]{7,40}");
    private static final int MAX_REASON = 200;

    private final BuildbotClient buildbot;
    private final GitRemote git;
    private final BuildbotCommands.Settings settings;

    ForceCommand(BuildbotClient buildbot, GitRemote git, BuildbotCommands.Settings settings) {
        this.buildbot = buildbot;
        this.git = git;
        this.settings = settings;
    }

    CommandSpec spec() {
        return CommandSpec.builder("force").summary("force a Buildbot build of a branch or a pull request")
                .role(settings.role()).positional("builder", 1, 1)
                .valueOption("branch", "B", "the branch (or full ref) to build")
                .valueOption("pr", "N", "the pull request to build (refs/pull/N/head); needs approval")
                .valueOption("revision", "SHA", "build exactly this commit")
                .valueOption("reason", "TEXT", "why, shown on Buildbot")
                .handler(this::handle).recheck(this::recheck).build();
    }

    private Outcome handle(CommandContext ctx) {
        ParsedArgs a = ctx.args();
        String builder = a.positional(0).orElseThrow();
        Optional<String> branch = a.option("branch");
        Optional<String> pr = a.option("pr");
        if (branch.isPresent() == pr.isPresent()) {
            throw new UsageException("force needs exactly one of --branch B or --pr N");
        }
        if (pr.isPresent() && !PR.matcher(pr.get()).matches()) {
            throw new InvalidValueException("--pr must be a pull request number (a positive integer), not \""
                    + printable(pr.get()) + "\"");
        }
        if (branch.isPresent() && !GitRemote.validRef(branch.get())) {
            throw new InvalidValueException("--branch \"" + printable(branch.get()) + "\" is not a git branch or ref "
                    + "name");
        }
        Optional<String> revision = a.option("revision");
        if (revision.isPresent() && !REVISION.matcher(revision.get()).matches()) {
            throw new InvalidValueException("--revision must be a commit SHA (7 to 40 lowercase hex digits), not \""
                    + printable(revision.get()) + "\"");
        }
        String reason = a.option("reason").orElse("forced by " + ctx.caller());
        if (reason.length() > MAX_REASON) {
            throw new InvalidValueException("--reason is longer than " + MAX_REASON + " characters");
        }
        if (buildbot.builder(builder).isEmpty()) {
            throw new InvalidValueException("no builder \"" + printable(builder) + "\" on Buildbot (builders: "
                    + String.join(", ", buildbot.builders().stream().map(b -> b.name()).sorted().toList()) + ")");
        }
        String ref = pr.map(n -> "refs/pull/" + n + "/head").orElseGet(() -> GitRemote.fullRef(branch.get()));
        Request request = new Request(builder, ref, pr.orElse(""), revision.orElse(""), reason);
        return Outcome.planned(plan(request));
    }

    /** What was asked, before the ref is resolved. */
    private record Request(String builder, String ref, String pr, String pinned, String reason) {
        static Request of(OperationPlan p) {
            return new Request(p.params().get("builder"), p.params().get("branch"), p.params().getOrDefault("pr", ""),
                    p.params().containsKey("commit") ? "" : p.params().get("revision"), p.params().get("reason"));
        }
    }

    private OperationPlan plan(Request r) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("builder", r.builder());
        params.put("branch", r.ref());
        if (!r.pr().isEmpty()) {
            params.put("pr", r.pr());
        }
        if (r.pinned().isEmpty()) {
            GitRemote.Commit c = git.describe(repository(r.builder()), r.ref());
            params.put("commit", c.shortSha() + (c.subject().isEmpty() ? "" : " \"" + c.subject() + "\""));
            params.put("revision", c.sha());
        } else {
            params.put("revision", r.pinned());
        }
        params.put("reason", r.reason());
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("action", "force");
        args.put("scheduler", settings.scheduler());
        args.put("builder", r.builder());
        args.put("branch", r.ref());
        args.put("revision", params.get("revision"));
        args.put("reason", r.reason());
        String name = r.pr().isEmpty() ? "build " + r.ref() + " on " + r.builder()
                : "build PR #" + r.pr() + " on " + r.builder() + " (code from a fork runs on the workers)";
        StepSpec step = new StepSpec(name, "buildbot", args, List.of(), 1, settings.buildTimeout(), null,
                OnHostFailure.STOP, null);
        ApprovalPolicy approval = r.pr().isEmpty() ? ApprovalPolicy.NONE : settings.prApproval();
        return new OperationPlan("force", params, List.of(step), approval, "steps")
                .withExclusion(Exclusion.ofTargets("builder " + r.builder()));
    }

    /** A plan resolved from a ref runs only if the ref still points at the approved commit. */
    private Optional<ApprovalRecheck.Replan> recheck(OperationPlan approved) {
        if (!approved.params().containsKey("commit")) {
            return Optional.empty();
        }
        Request r = Request.of(approved);
        String was = approved.params().get("revision");
        String now = git.resolve(repository(r.builder()), r.ref());
        if (now.equals(was)) {
            return Optional.empty();
        }
        return Optional.of(new ApprovalRecheck.Replan(r.ref() + " moved from " + was.substring(0, 7) + " to "
                + now.substring(0, 7) + " since the request, and unreviewed code must not run", plan(r)));
    }

    private String repository(String builder) {
        String repo = settings.repositories().get(builder);
        if (repo == null) {
            throw new InvalidValueException("no repository is configured for builder \"" + builder
                    + "\" (services.buildbot.repositories), so its ref cannot be resolved; give --revision SHA");
        }
        return repo;
    }

    /** Untrusted text as shown in an answer: controls, line separators, bidi overrides, lone surrogates as ?. */
    private static String printable(String s) {
        return Sanitize.forDisplay(s, 60);
    }

    static Duration defaultTimeout() {
        return Duration.ofHours(3);
    }
}
