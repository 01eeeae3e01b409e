/**
 * Matrix ({@code type: matrix}) over the Client-Server API v3: password login or an access token, long-polled
 * {@code /sync} resumed from a journaled position so nothing is handled twice, invites accepted only from allowed
 * users, 429s waited out, and output as {@code m.notice} with edits. Its settings are defined and read here.
 */
package org.buildduty.connectors.matrix;
