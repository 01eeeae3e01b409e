package org.buildduty.app.exec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.buildduty.app.config.BotConfig;
import org.buildduty.app.config.CredentialConfig;
import org.buildduty.app.config.HostConfig;
import org.buildduty.app.config.InventoryConfig;
import org.buildduty.app.config.SshSettings;
import org.buildduty.commands.announce.AnnounceExecutor;
import org.buildduty.commands.disk.DiskExecutor;
import org.buildduty.core.chat.Announcer;
import org.buildduty.core.config.Secret;
import org.buildduty.core.exec.StepExecutor;
import org.buildduty.core.time.Sleeper;
import org.buildduty.core.time.Ticker;
import org.buildduty.exec.LocalExecutor;
import org.buildduty.exec.http.HttpCredential;
import org.buildduty.exec.http.HttpCredentials;
import org.buildduty.exec.http.HttpExecutor;
import org.buildduty.exec.http.WaitUntilExecutor;
import org.buildduty.exec.ssh.SshExecutor;
import org.buildduty.exec.ssh.SshHosts;
import org.buildduty.exec.ssh.SshOptions;
import org.buildduty.exec.ssh.SshTarget;

/**
 * The step executors a configuration gives the runner: {@code local}, {@code ssh} (inventory hosts, known_hosts,
 * keys), {@code http} (configured credentials), {@code wait_until}, {@code disk} (over ssh), {@code announce},
 * and those of the configured services ({@code buildbot}, {@code mbs}: see {@code ServiceTypes}). Creating them opens
 * nothing; connections are made when a step runs. This is the one list of the general step kinds: a new kind is its
 * executor's files plus one line in {@link #of}; a service's kinds come with its entry in {@code ServiceTypes}.
 */
public final class StepKinds {
    private StepKinds() {
    }

    /**
     * The executors for this configuration, in a fixed order (close the {@link AutoCloseable} ones at shutdown):
     * the general ones, then {@code services}' (the executors of the configured services, {@code buildbot} and
     * {@code mbs}, in the order of {@code ServiceTypes}), then {@code announce} posting through {@code announcer}
     * (bound to the engine once it is built).
     */
    public static List<StepExecutor> of(BotConfig cfg, Set<String> hiddenEnv, Ticker ticker,
            List<StepExecutor> services, Announcer announcer) {
        InventoryConfig inventory = cfg.inventory();
        return of(cfg, () -> inventory, hiddenEnv, ticker, services, announcer);
    }

    /**
     * The same, with the {@code ssh} executor finding each host in {@code inventory} when it connects (a live reload
     * replaces it); {@code inventory.ssh} is read from {@code cfg} once, here.
     */
    public static List<StepExecutor> of(BotConfig cfg, Supplier<InventoryConfig> inventory, Set<String> hiddenEnv,
            Ticker ticker, List<StepExecutor> services, Announcer announcer) {
        SshExecutor ssh = new SshExecutor(hosts(inventory, cfg.inventory().ssh()), options(cfg.inventory().ssh()));
        HttpExecutor http = new HttpExecutor(credentials(cfg.credentials()));
        List<StepExecutor> out = new ArrayList<>();
        out.add(new LocalExecutor(Duration.ofSeconds(5), hiddenEnv));
        out.add(ssh);
        out.add(http);
        out.add(new WaitUntilExecutor(http, Map.of(ssh.kind(), ssh), ticker, Sleeper.system()));
        out.add(new DiskExecutor(ssh));
        out.addAll(services);
        out.add(new AnnounceExecutor(announcer));
        return List.copyOf(out);
    }

    /** Inventory hosts as SSH targets: a host's own user and key, else {@code inventory.ssh}'s, else the OS user. */
    static SshHosts hosts(InventoryConfig inv) {
        return hosts(() -> inv, inv.ssh());
    }

    /** The hosts of the inventory {@code inv} holds at each lookup, with the defaults of {@code ssh}. */
    static SshHosts hosts(Supplier<InventoryConfig> inv, SshSettings ssh) {
        String defaultUser = ssh.user().orElse(System.getProperty("user.name"));
        return name -> inv.get().host(name).map(h -> target(h, defaultUser, ssh));
    }

    private static SshTarget target(HostConfig h, String defaultUser, SshSettings ssh) {
        return new SshTarget(h.name(), h.address(), h.port(), h.user().orElse(defaultUser),
                h.keyFile().or(ssh::keyFile), h.jump());
    }

    static SshOptions options(SshSettings ssh) {
        Optional<Secret> passphrase = ssh.passphrase();
        return new SshOptions(ssh.knownHosts(), ssh.keyFile(), () -> passphrase.map(Secret::reveal), ssh.agent(),
                ssh.connectTimeout(), ssh.keepalive(), 8);
    }

    static HttpCredentials credentials(Map<String, CredentialConfig> configured) {
        List<HttpCredential> list = new ArrayList<>();
        for (CredentialConfig c : configured.values()) {
            Secret secret = c.secret();
            list.add(new HttpCredential(c.name(), HttpCredential.Kind.valueOf(c.type().name()), c.url(),
                    c.user().orElse(null), secret::reveal, c.login().orElse(null)));
        }
        return HttpCredentials.of(list);
    }
}
