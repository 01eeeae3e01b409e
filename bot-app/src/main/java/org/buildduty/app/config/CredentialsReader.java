package org.buildduty.app.config;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.buildduty.commands.buildbot.BuildbotSettings;
import org.buildduty.core.config.ConfigContext;
import org.buildduty.core.config.ConfigNode;
import org.buildduty.core.config.ConfigSection;
import org.buildduty.core.config.Secret;

/**
 * Reads {@code credentials:}, a mapping of name to {@code {type: bearer|basic|session, url, user, token_env |
 * token_file | password_env | password_file, login}}, and adds {@code buildbot} (a session) when
 * {@code services.buildbot} has a user.
 */
final class CredentialsReader {
    /** A credential name is a placeholder-like word, as runbooks write it in {@code auth:}. */
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]*");
    private static final Set<String> KEYS = Set.of("type", "url", "user", "token_env", "token_file", "password_env",
            "password_file", "login");
    private static final Pattern USER = Pattern.compile("[^\\s:]{1,200}");

    private final ConfigContext ctx;

    CredentialsReader(ConfigContext ctx) {
        this.ctx = ctx;
    }

    Map<String, CredentialConfig> read(Optional<ConfigSection> section, ServicesConfig services) {
        Map<String, CredentialConfig> out = new LinkedHashMap<>();
        section.ifPresent(s -> {
            for (Map.Entry<String, ConfigNode> e : s.node().asMap().entrySet()) {
                one(e.getKey(), e.getValue()).ifPresent(c -> out.put(c.name(), c));
            }
        });
        services.get(BuildbotSettings.class).ifPresent(b -> {
            if (b.user().isPresent() && b.password().isPresent()) {
                if (section.flatMap(s -> s.child("buildbot")).isPresent()) {
                    section.get().error("buildbot", "is defined by services.buildbot already (its user and password)");
                } else {
                    out.put("buildbot", new CredentialConfig("buildbot", CredentialConfig.Type.SESSION, b.url(),
                            b.user(), b.password().get(), Optional.of(under(b.url(), "auth/login"))));
                }
            }
        });
        return out;
    }

    private Optional<CredentialConfig> one(String name, ConfigNode node) {
        if (!NAME.matcher(name).matches()) {
            ctx.problems().add(node, "\"" + name + "\" is not a credential name ([a-z][a-z0-9_-]*)");
        }
        ConfigSection s = ConfigSection.of(node, ctx, KEYS);
        Optional<String> typeName = s.has("type") ? s.oneOf("type", List.of("bearer", "basic", "session"))
                : missing(s, "type");
        Optional<CredentialConfig.Type> type = typeName.map(t -> CredentialConfig.Type.valueOf(
                t.toUpperCase(Locale.ROOT)));
        Optional<URI> url = s.has("url") ? s.url("url") : missing(s, "url");
        if (type.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> user = Optional.empty();
        Optional<Secret> secret;
        Optional<URI> login = Optional.empty();
        switch (type.get()) {
            case BEARER:
                for (String k : List.of("user", "password_env", "password_file", "login")) {
                    if (s.has(k)) {
                        s.error(k, "a bearer credential has url and token_env or token_file only");
                    }
                }
                secret = s.requiredSecret("token");
                break;
            case BASIC:
            case SESSION:
                for (String k : List.of("token_env", "token_file")) {
                    if (s.has(k)) {
                        s.error(k, "a " + type.get().name().toLowerCase(Locale.ROOT)
                                + " credential has a user and password_env or password_file");
                    }
                }
                if (type.get() == CredentialConfig.Type.BASIC && s.has("login")) {
                    s.error("login", "only a session credential logs in");
                }
                user = s.has("user") ? s.matching("user", USER, "is not a user name (no spaces or colons)")
                        : missing(s, "user");
                secret = s.requiredSecret("password");
                if (type.get() == CredentialConfig.Type.SESSION) {
                    login = s.has("login") ? s.url("login") : url.map(u -> under(u, "auth/login"));
                }
                break;
            default:
                throw new IllegalStateException(type.get().name());
        }
        if (url.isEmpty() || secret.isEmpty() || !NAME.matcher(name).matches()
                || (type.get() != CredentialConfig.Type.BEARER && user.isEmpty())
                || (type.get() == CredentialConfig.Type.SESSION && login.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new CredentialConfig(name, type.get(), url.get(), user, secret.get(), login));
    }

    /** {@code path} under a base URL, whether or not the base ends with a slash. */
    static URI under(URI base, String path) {
        String s = base.toString();
        return URI.create(s.endsWith("/") ? s + path : s + "/" + path);
    }

    private static <T> Optional<T> missing(ConfigSection s, String key) {
        s.missing(key);
        return Optional.empty();
    }
}
