package org.buildduty.app.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.buildduty.core.config.ConfigContext;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.Secret;

/** Reads {@code inventory:}: ssh settings, hosts (jump hosts exist, no cycles) and disk roots. */
final class InventoryReader {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]*");
    private static final String NAME_RULE = "is not a valid name ([A-Za-z0-9._-]+, not starting with -)";
    private static final Set<String> KEYS = Set.of("ssh", "hosts", "disk_roots");
    private static final Set<String> SSH_KEYS = Set.of("known_hosts", "key_file", "user", "passphrase_env",
            "passphrase_file", "agent", "connect_timeout", "keepalive");
    private static final Set<String> HOST_KEYS = Set.of("address", "port", "user", "jump", "groups", "key_file");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.:\\[\\]_%-]+");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]*");

    private final ConfigContext ctx;
    private final Map<String, ConfigNode> groupNodes = new LinkedHashMap<>();
    /** Where checks made after loading report, by field below {@code inventory.} (see {@link InventoryConfig}). */
    private final Map<String, String> where = new LinkedHashMap<>();

    InventoryReader(ConfigContext ctx) {
        this.ctx = ctx;
    }

    InventoryConfig read(Optional<ConfigNode> node) {
        if (node.isEmpty()) {
            return InventoryConfig.empty(ssh(Optional.empty()));
        }
        ConfigSection s = ConfigSection.of(node.get(), ctx, KEYS);
        ConfigNode inv = node.get();
        where.put("ssh.known_hosts", inv.file() + ":" + inv.line() + ": " + inv.path() + ".ssh.known_hosts");
        SshSettings ssh = ssh(s.section("ssh", SSH_KEYS));
        Map<String, HostConfig> hosts = new LinkedHashMap<>();
        Map<String, ConfigNode> jumpNodes = new LinkedHashMap<>();
        s.namedEntries("hosts").ifPresent(hs -> {
            for (Map.Entry<String, ConfigNode> e : hs.node().asMap().entrySet()) {
                host(e.getKey(), e.getValue(), hosts, jumpNodes);
            }
        });
        checkJumps(hosts, jumpNodes);
        checkGroups(hosts);
        Map<String, List<String>> roots = new LinkedHashMap<>();
        s.namedEntries("disk_roots").ifPresent(ds -> {
            for (Map.Entry<String, ConfigNode> e : ds.node().asMap().entrySet()) {
                diskRoots(e.getKey(), e.getValue(), hosts, roots);
            }
        });
        return new InventoryConfig(ssh, hosts, roots, where);
    }

    private SshSettings ssh(Optional<ConfigSection> section) {
        if (section.isEmpty()) {
            return new SshSettings(ctx.path("~/.ssh/known_hosts"), Optional.empty(), Optional.empty(),
                    Optional.empty(), false, Duration.ofSeconds(10), Duration.ofSeconds(15));
        }
        ConfigSection s = section.get();
        where.put("ssh", s.node().where());
        s.child("known_hosts").ifPresent(n -> where.put("ssh.known_hosts", n.where()));
        s.child("key_file").ifPresent(n -> where.put("ssh.key_file", n.where()));
        Path knownHosts = s.path("known_hosts").orElse(ctx.path("~/.ssh/known_hosts"));
        Optional<Path> keyFile = s.path("key_file");
        Optional<String> user = s.matching("user", USER, "is not a user name");
        Optional<Secret> passphrase = s.secret("passphrase");
        boolean agent = s.bool("agent", false);
        Duration timeout = s.duration("connect_timeout").orElse(Duration.ofSeconds(10));
        Duration keepalive = s.duration("keepalive").orElse(Duration.ofSeconds(15));
        if (keepalive.compareTo(Duration.ofSeconds(1)) < 0) {
            s.error("keepalive", "must be at least 1s");
        }
        return new SshSettings(knownHosts, keyFile, user, passphrase, agent, timeout, keepalive);
    }

    private void host(String name, ConfigNode node, Map<String, HostConfig> hosts, Map<String, ConfigNode> jumps) {
        boolean nameOk = NAME.matcher(name).matches();
        if (!nameOk) {
            ctx.problems().add(node, "\"" + name + "\" " + NAME_RULE);
        }
        ConfigSection h = ConfigSection.of(node, ctx, HOST_KEYS);
        Optional<String> address = h.has("address")
                ? h.matching("address", ADDRESS, "is not a host name or IP address") : missing(h, "address");
        int port = h.port("port").orElse(22);
        Optional<String> user = h.matching("user", USER, "is not a user name");
        Optional<String> jump = h.string("jump");
        h.child("jump").ifPresent(j -> jumps.put(name, j));
        List<String> groups = h.strings("groups", ConfigSection.ItemCheck.matching(NAME, NAME_RULE));
        h.child("groups").ifPresent(g -> groupNodes.put(name, g));
        Optional<Path> keyFile = h.path("key_file");
        where.put("hosts." + name, node.where());
        h.child("key_file").ifPresent(n -> where.put("hosts." + name + ".key_file", n.where()));
        if (nameOk && address.isPresent()) {
            hosts.put(name, new HostConfig(name, address.get(), port, user, jump, groups, keyFile));
        }
    }

    private static Optional<String> missing(ConfigSection s, String key) {
        s.missing(key);
        return Optional.empty();
    }

    /** Each jump names another host; a cycle is reported once, at its first host in file order. */
    private void checkJumps(Map<String, HostConfig> hosts, Map<String, ConfigNode> jumpNodes) {
        Set<String> inReportedCycle = new HashSet<>();
        for (Map.Entry<String, ConfigNode> e : jumpNodes.entrySet()) {
            String name = e.getKey();
            ConfigNode at = e.getValue();
            if (!at.isScalar()) {
                continue;   // already reported
            }
            String target = at.string();
            if (target.equals(name)) {
                ctx.problems().add(at, "a host cannot jump through itself");
            } else if (!hosts.containsKey(target)) {
                ctx.problems().add(at, "no host \"" + target + "\" in the inventory");
            } else if (!inReportedCycle.contains(name)) {
                List<String> chain = new ArrayList<>(List.of(name));
                String cur = target;
                while (cur != null && !chain.contains(cur)) {
                    chain.add(cur);
                    cur = hosts.containsKey(cur) ? hosts.get(cur).jump().orElse(null) : null;
                }
                if (name.equals(cur)) {
                    chain.add(cur);
                    inReportedCycle.addAll(chain);
                    ctx.problems().add(at, "jump hosts form a cycle: " + String.join(" -> ", chain));
                }
            }
        }
    }

    /** A group may not share a name with a host: a {@code group} parameter would be ambiguous. */
    private void checkGroups(Map<String, HostConfig> hosts) {
        Set<String> reported = new HashSet<>();
        for (HostConfig h : hosts.values()) {
            for (String g : h.groups()) {
                if (hosts.containsKey(g) && reported.add(g)) {
                    ctx.problems().add(groupNodes.get(h.name()), "group \"" + g + "\" has the name of a host");
                }
            }
        }
    }

    private void diskRoots(String host, ConfigNode node, Map<String, HostConfig> hosts,
            Map<String, List<String>> roots) {
        if (!hosts.containsKey(host)) {
            ctx.problems().add(node, "no host \"" + host + "\" in inventory.hosts");
        }
        List<String> ok = new ArrayList<>();
        List<ConfigNode> items = node.isScalar() ? List.of(node) : ctx.problems().check(node::asList).orElse(List.of());
        for (ConfigNode item : items) {
            ctx.problems().check(item::string).flatMap(p -> root(item, p)).ifPresent(ok::add);
        }
        roots.put(host, ok);
    }

    private Optional<String> root(ConfigNode at, String p) {
        if (!p.startsWith("/")) {
            ctx.problems().add(at, "\"" + p + "\" is not an absolute path");
            return Optional.empty();
        }
        for (String part : p.split("/")) {
            if (part.equals("..")) {
                ctx.problems().add(at, "\"" + p + "\" must not contain \"..\"");
                return Optional.empty();
            }
        }
        return Optional.of(Path.of(p).normalize().toString());
    }
}
