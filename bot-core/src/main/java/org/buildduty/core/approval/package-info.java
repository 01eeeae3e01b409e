/**
 * Approval of operations before they run: the policy (how many distinct people with which role, self-approval, the
 * time to live) and the gate that counts approvals by person, takes denials and expires requests, journaling each
 * before it is announced.
 */
package org.buildduty.core.approval;
