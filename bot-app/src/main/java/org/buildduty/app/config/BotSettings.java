package org.buildduty.app.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import org.buildduty.core.config.Secret;
import org.buildduty.core.time.Durations;

/**
 * The {@code bot:} section. Relative paths are resolved against the working directory the bot runs in (so the
 * shipped {@code journal: data/buildduty.db} lands in {@code ./data}); {@code ~/} means the home directory.
 *
 * @param prefix    command prefix, default {@code !}
 * @param journal   the SQLite journal file, default {@code data/buildduty.db}
 * @param runbooks  the folder of runbook YAML files, default {@code config/runbooks}
 * @param web       where the status page listens, default {@code 127.0.0.1:8080}; empty when {@code web: off}
 * @param anonymous whether identities with no role may run commands that need no role (default true)
 * @param webUrl    the public base URL for links to the status page, if set
 * @param nick      the name the bot answers to as {@code nick: command}, default {@code buildduty}
 * @param webToken  the read token of the status page ({@code web_token_env} or {@code web_token_file}), if set;
 *                  required when {@code web} is not a loopback address
 * @param limits    how many operations chat may keep live, and requests per person waiting for approval
 * @param privateApprovals whether {@code approve} and {@code deny} count from any room, a private message
 *                  included ({@code bot.private_approvals}, default false: only in the room of the request)
 * @param retention how long the output of ended operations is kept ({@code bot.retention})
 * @param cluster   a PostgreSQL journal, if {@code journal} is a {@code postgresql://} URL (then {@code journal}
 *                  is only where local caches go, {@code data/buildduty.db}'s folder), and this instance's name and
 *                  leadership timings
 */
public record BotSettings(String prefix, Path journal, Path runbooks, Optional<WebAddress> web, boolean anonymous,
        Optional<URI> webUrl, String nick, Optional<Secret> webToken, Limits limits, boolean privateApprovals,
        Retention retention, ClusterSettings cluster) {

    /** Settings with the SQLite journal {@code journal}. */
    public BotSettings(String prefix, Path journal, Path runbooks, Optional<WebAddress> web, boolean anonymous,
            Optional<URI> webUrl, String nick, Optional<Secret> webToken, Limits limits, boolean privateApprovals,
            Retention retention) {
        this(prefix, journal, runbooks, web, anonymous, webUrl, nick, webToken, limits, privateApprovals, retention,
                ClusterSettings.local());
    }

    /** Settings with the default retention. */
    public BotSettings(String prefix, Path journal, Path runbooks, Optional<WebAddress> web, boolean anonymous,
            Optional<URI> webUrl, String nick, Optional<Secret> webToken, Limits limits, boolean privateApprovals) {
        this(prefix, journal, runbooks, web, anonymous, webUrl, nick, webToken, limits, privateApprovals,
                Retention.DEFAULTS);
    }

    /** Settings where approvals count only in the room of the request. */
    public BotSettings(String prefix, Path journal, Path runbooks, Optional<WebAddress> web, boolean anonymous,
            Optional<URI> webUrl, String nick, Optional<Secret> webToken, Limits limits) {
        this(prefix, journal, runbooks, web, anonymous, webUrl, nick, webToken, limits, false);
    }

    /** Settings with the default limits. */
    public BotSettings(String prefix, Path journal, Path runbooks, Optional<WebAddress> web, boolean anonymous,
            Optional<URI> webUrl, String nick, Optional<Secret> webToken) {
        this(prefix, journal, runbooks, web, anonymous, webUrl, nick, webToken, Limits.DEFAULTS);
    }

    /** Settings without a web token. */
    public BotSettings(String prefix, Path journal, Path runbooks, Optional<WebAddress> web, boolean anonymous,
            Optional<URI> webUrl, String nick) {
        this(prefix, journal, runbooks, web, anonymous, webUrl, nick, Optional.empty());
    }

    /**
     * What chat may create: {@code bot.max_live_operations} operations pending approval or running at once, and
     * {@code bot.max_pending_approvals} requests waiting for approval per requester (per person under {@code people:}).
     */
    public record Limits(int maxLiveOperations, int maxPendingApprovals) {
        /** 20 live operations, 5 pending approvals per requester. */
        public static final Limits DEFAULTS = new Limits(20, 5);
    }

    /**
     * {@code bot.retention}: the output of operations that ended more than {@code keep} ago is pruned, daily and at
     * start, except for the newest {@code minOperations} ended operations; live operations are never touched.
     */
    public record Retention(Duration keep, int minOperations) {
        /** 90 days, at least the newest 200 ended operations kept whole. */
        public static final Retention DEFAULTS = new Retention(Duration.ofDays(90), 200);

        /** How {@code keep} is written, e.g. {@code retention 90d}, for the web page. */
        public String note() {
            return "retention " + Durations.compact(keep);
        }
    }

    /** The status page's listen address; port 0 picks a free port. */
    public record WebAddress(String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }

        /** True for {@code localhost}, {@code 127.x.x.x} and {@code ::1}: only this machine can connect. */
        public boolean isLoopback() {
            String h = host.toLowerCase(Locale.ROOT);
            return h.equals("localhost") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")
                    || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
        }
    }
}
