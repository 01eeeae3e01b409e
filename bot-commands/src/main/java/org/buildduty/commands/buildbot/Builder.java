package org.buildduty.commands.buildbot;

/**
 * A Buildbot builder as the REST API lists it.
 *
 * @param id the builder id (it depends on configuration order; names are stable)
 * @param name the builder name
 */
public record Builder(int id, String name) {
}
