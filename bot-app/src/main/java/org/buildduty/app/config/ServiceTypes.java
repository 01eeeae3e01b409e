package org.buildduty.app.config;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.buildduty.commands.buildbot.BuildbotClient;
import org.buildduty.commands.buildbot.BuildbotCommands;
import org.buildduty.commands.buildbot.BuildbotExecutor;
import org.buildduty.commands.buildbot.BuildbotSettings;
import org.buildduty.commands.buildbot.BuildbotSettingsReader;
import org.buildduty.commands.buildbot.GitRemote;
import org.buildduty.commands.jenkins.JenkinsExecutor;
import org.buildduty.commands.jenkins.JenkinsSettings;
import org.buildduty.commands.jenkins.JenkinsSettingsReader;
import org.buildduty.commands.mbs.MbsClient;
import org.buildduty.commands.mbs.MbsCommands;
import org.buildduty.commands.mbs.MbsExecutor;
import org.buildduty.commands.mbs.MbsSettings;
import org.buildduty.commands.mbs.MbsSettingsReader;
import org.buildduty.commands.mbs.MbsWatchCommands;
import org.buildduty.commands.mbs.MbsWatches;
import org.buildduty.core.time.Sleeper;

/**
 * The services of this build, the keys of {@code services:}, in the order their executors and commands are added.
 * Adding a service is its package in bot-commands (settings, their reader, client, executor, commands) and one entry
 * here.
 */
public final class ServiceTypes {
    /** Every service, one entry each. */
    public static final List<ServiceType<?>> ALL = List.of(
            new ServiceType<>(new BuildbotSettingsReader(), BuildbotSettings.class, ServiceTypes::buildbot),
            new ServiceType<>(new MbsSettingsReader(), MbsSettings.class, ServiceTypes::mbs),
            new ServiceType<>(new JenkinsSettingsReader(), JenkinsSettings.class, ServiceTypes::jenkins,
                    () -> List.of(JenkinsExecutor.unconfigured())));

    private ServiceTypes() {
    }

    /**
     * The first words of each service's chat commands, so a bot without that service answers them with how to enable
     * it ({@code mbs is not configured on this bot: add services.mbs (url, ...) to the configuration}) rather than
     * {@code unknown command}.
     */
    private static final Map<String, List<String>> COMMAND_WORDS = Map.of(
            "buildbot", List.of("force", "builds"),
            "mbs", List.of("mbs"));

    /** For each command word of the services not installed, the line that answers it. */
    public static Map<String, String> notConfigured(Collection<String> installed) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String service : names()) {
            if (installed.contains(service)) {
                continue;
            }
            for (String word : COMMAND_WORDS.getOrDefault(service, List.of())) {
                out.put(word, service + " is not configured on this bot: add services." + service
                        + " (url, ...) to the configuration");
            }
        }
        return out;
    }

    /** The step kinds each service's executors run. */
    private static final Map<String, List<String>> STEP_KINDS = Map.of(
            "buildbot", List.of(BuildbotExecutor.KIND),
            "mbs", List.of(MbsExecutor.KIND),
            "jenkins", List.of(JenkinsExecutor.KIND));

    /**
     * For each step kind of the services not installed, what a runbook step of that kind needs: {@code mbs} →
     * {@code needs services.mbs (not configured): add services.mbs (url, ...) to the configuration}. A kind that
     * loads without its service (jenkins) is not listed.
     */
    public static Map<String, String> unavailableKinds(Collection<String> installed) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String service : names()) {
            if (!installed.contains(service)) {
                for (String kind : STEP_KINDS.getOrDefault(service, List.of())) {
                    out.put(kind, "needs services." + service + " (not configured): add services." + service
                            + " (url, ...) to the configuration, or remove the step");
                }
            }
        }
        return out;
    }

    /** The keys of {@code services:}, in order. */
    public static List<String> names() {
        return ALL.stream().map(ServiceType::name).toList();
    }

    /** {@code buildbot} steps, {@code force} and {@code builds}. */
    private static ServiceType.Installed buildbot(BuildbotSettings b, ServiceType.Wiring w) {
        BuildbotClient client = b.client();
        BuildbotCommands.Settings defaults = BuildbotCommands.Settings.defaults(b.repositories());
        BuildbotCommands.Settings settings = new BuildbotCommands.Settings(b.scheduler(), b.repositories(),
                defaults.role(), defaults.prApproval(), defaults.buildTimeout());
        return new ServiceType.Installed(List.of(new BuildbotExecutor(client, w.ticker(), Sleeper.system())),
                registry -> BuildbotCommands.register(registry, client,
                        new GitRemote(w.gitCache(), Duration.ofSeconds(30)), settings, w.ticker()),
                List.of());
    }

    /**
     * {@code jenkins} steps. Without {@code services.jenkins} the kind still loads, so shipped runbooks using it pass
     * {@code --check}, and each such step fails at run naming the key.
     */
    private static ServiceType.Installed jenkins(JenkinsSettings j, ServiceType.Wiring w) {
        return new ServiceType.Installed(List.of(new JenkinsExecutor(j.client(), w.ticker(), Sleeper.system())),
                registry -> { }, List.of());
    }

    /** {@code mbs} steps, {@code mbs …} and {@code mbs watch}, whose watches run in the background. */
    private static ServiceType.Installed mbs(MbsSettings m, ServiceType.Wiring w) {
        MbsClient client = m.client(w.ticker());
        MbsWatches watches = MbsWatches.of(client, m.url().toString(), m.poll().watches());
        return new ServiceType.Installed(List.of(new MbsExecutor(client)), registry -> {
            MbsCommands.register(registry, client);
            MbsWatchCommands.register(registry, watches);
        }, List.of(watches));
    }
}
