/**
 * The one list of the general step kinds: which executor runs each kind, built from the configuration
 * ({@code local}, {@code ssh}, {@code http}, {@code wait_until}, {@code disk}, {@code announce}), with the kinds of the
 * configured services ({@code buildbot}, {@code mbs}) that {@code ServiceTypes} adds. Adding a general step kind is
 * its executor plus one line here.
 */
package org.buildduty.app.exec;
