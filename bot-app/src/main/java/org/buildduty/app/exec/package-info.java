/**
 * The one list of step kinds: which executor runs each kind, built from the configuration ({@code local},
 * {@code ssh}, {@code http}, {@code wait_until}, {@code disk}, {@code announce}, and {@code buildbot} and {@code mbs}
 * when their services are configured). Adding a step kind is its executor plus one line here.
 */
package org.buildduty.app.exec;
