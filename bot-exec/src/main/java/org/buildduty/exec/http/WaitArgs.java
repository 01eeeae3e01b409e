package org.buildduty.exec.http;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.buildduty.core.InvalidValueException;
import org.buildduty.core.time.Durations;

/** The arguments of a {@code wait_until} step, read and checked; problems go to a map of key → message. */
final class WaitArgs {
    static final Set<String> WAIT_KEYS = Set.of("until", "fail_if", "interval", "keep", "command", "host");
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    /** The request to poll, or null for a command. */
    final HttpArgs http;
    final String command;
    final String host;
    final WaitCondition until;
    final WaitCondition failIf;
    final Duration interval;
    final Map<String, JsonPath> keep;

    private WaitArgs(HttpArgs http, String command, String host, WaitCondition until, WaitCondition failIf,
            Duration interval, Map<String, JsonPath> keep) {
        this.http = http;
        this.command = command;
        this.host = host;
        this.until = until;
        this.failIf = failIf;
        this.interval = interval;
        this.keep = keep;
    }

    static WaitArgs read(Map<String, Object> args, HttpCredentials credentials, Map<String, String> problems) {
        boolean url = args.containsKey("url");
        boolean command = args.containsKey("command");
        HttpArgs http = null;
        if (url && command) {
            problems.put("command", "poll either a url or a command, not both");
        } else if (!url && !command) {
            problems.put("url", "a url to poll (or a command and the host to run it on) is required");
        }
        if (url) {
            http = HttpArgs.read(args, HttpArgs.REQUEST_KEYS, WAIT_KEYS, credentials, problems);
        } else {
            Set<String> known = HttpArgs.union(WAIT_KEYS, HttpArgs.REQUEST_KEYS);
            for (String key : args.keySet()) {
                if (!known.contains(key)) {
                    problems.put(key, "unknown argument (known: " + String.join(", ", new TreeSet<>(known)) + ")");
                } else if (HttpArgs.REQUEST_KEYS.contains(key)) {
                    problems.put(key, "goes with url, not with command");
                }
            }
        }
        String cmd = null;
        String host = null;
        if (command && !url) {
            Object c = args.get("command");
            if (!(c instanceof String commandText) || commandText.isBlank()) {
                problems.put("command", "must be a non-empty command");
            } else {
                cmd = commandText;
            }
            Object h = args.get("host");
            if (h == null) {
                problems.put("command", "a command runs on one inventory host: add host: NAME");
            } else if (!(h instanceof String hostName) || !hostName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,252}")) {
                problems.put("host", "must be one inventory host name (not a group, list or {{parameter}})");
            } else {
                host = hostName;
            }
        } else if (args.containsKey("host") && url) {
            problems.put("host", "goes with command; a url is polled from the bot");
        }
        WaitCondition until = condition(args.get("until"), "until", true, problems);
        WaitCondition failIf = condition(args.get("fail_if"), "fail_if", false, problems);
        Duration interval = DEFAULT_INTERVAL;
        Object i = args.get("interval");
        if (i != null) {
            try {
                interval = Durations.parse(String.valueOf(i));
                if (interval.compareTo(MIN_INTERVAL) < 0) {
                    problems.put("interval", "must be at least 1s");
                }
            } catch (InvalidValueException e) {
                problems.put("interval", e.getMessage());
            }
        }
        Map<String, JsonPath> keep = HttpArgs.readKeep(args.get("keep"), problems);
        return new WaitArgs(http, cmd, host, until, failIf, interval, keep);
    }

    private static WaitCondition condition(Object spec, String key, boolean required, Map<String, String> problems) {
        if (spec == null) {
            if (required) {
                problems.put(key, "a condition is required, e.g. { path: $.state, equals: done }");
            }
            return null;
        }
        try {
            return WaitCondition.parse(spec);
        } catch (IllegalArgumentException e) {
            problems.put(key, e.getMessage());
            return null;
        }
    }
}
