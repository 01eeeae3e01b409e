package org.buildduty.app.config;

import java.util.List;
import java.util.Optional;

import org.buildduty.core.config.ServiceSettings;

/**
 * {@code services:}: the external services the commands talk to, each optional, as their readers in
 * {@link ServiceTypes} made them (e.g. {@code BuildbotSettings} of {@code services.buildbot}).
 *
 * @param configured the settings of each configured service, in the order of {@link ServiceTypes#ALL}
 */
public record ServicesConfig(List<ServiceSettings> configured) {

    /** No services. */
    public static final ServicesConfig NONE = new ServicesConfig(List.of());

    public ServicesConfig {
        configured = List.copyOf(configured);
    }

    /** The settings of the service whose settings are of this type, if it is configured. */
    public <S extends ServiceSettings> Optional<S> get(Class<S> type) {
        return configured.stream().filter(type::isInstance).map(type::cast).findFirst();
    }
}
