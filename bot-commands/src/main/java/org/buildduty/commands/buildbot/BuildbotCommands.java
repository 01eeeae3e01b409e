package org.buildduty.commands.buildbot;

import java.time.Duration;
import java.util.Map;

import org.buildduty.core.command.CommandRules;
import org.buildduty.core.operation.ApprovalPolicy;
import org.buildduty.core.time.Ticker;

/**
 * The Buildbot commands, registered when the configuration has {@code services.buildbot}: {@code force} and
 * {@code builds running}.
 *
 * <pre>{@code
 * BuildbotCommands.register(registry, client, new GitRemote(cache, Duration.ofSeconds(30)),
 *         BuildbotCommands.Settings.defaults(Map.of("flocker", "https://github.com/ClusterHQ/flocker.git")), ticker);
 * }</pre>
 */
public final class BuildbotCommands {
    private BuildbotCommands() {
    }

    /**
     * How the commands use Buildbot.
     *
     * @param scheduler    the force scheduler's name
     * @param repositories builder name → the repository its refs are resolved in
     * @param role         the role that may force builds
     * @param prApproval   the approval a pull-request build needs
     * @param buildTimeout how long a forced build is followed before the step gives up
     */
    public record Settings(String scheduler, Map<String, String> repositories, String role, ApprovalPolicy prApproval,
            Duration buildTimeout) {
        public Settings {
            repositories = Map.copyOf(repositories);
        }

        /** Scheduler {@code force}, role releng, one approval by someone else for a PR, builds followed for 3 h. */
        public static Settings defaults(Map<String, String> repositories) {
            return new Settings("force", repositories, "releng", ApprovalPolicy.of("releng", 1),
                    ForceCommand.defaultTimeout());
        }
    }

    /** Registers {@code force} and {@code builds running}. */
    public static void register(CommandRules registry, BuildbotClient client, GitRemote git, Settings settings,
            Ticker ticker) {
        registry.register(new ForceCommand(client, git, settings).spec());
        registry.register(new BuildsCommand(client, ticker).spec());
    }
}
