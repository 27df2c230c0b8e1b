# METADATA
# title: "Ops risk matrix: who may approve what"
# description: |
#   SERVICE_RESTART and FILESYSTEM_WRITE operations need an approver other than the requester
#   (SELF included) and a rollback_ref. Solo approval (approved_by SELF, or the requester
#   approving their own operation) is allowed for the other risk classes only where the project
#   allows solo operations (gatehouse.config ops.soloAllowed). People are compared by their
#   normalised identities (input.normalized, filled in by the collector: NFKC, case-folded,
#   look-alike letters read as Latin), so a look-alike of the requester is the requester.
# custom:
#   codes:
#     - ops/self-approval
#     - ops/missing-rollback-ref
#     - ops/solo-not-allowed
#   severity: error
package gatehouse.ops.approval.risk_matrix

import data.gatehouse.lib.findings

guarded_classes := {"SERVICE_RESTART", "FILESYSTEM_WRITE"}

entry := input.entry

people := input.normalized

solo if people.approved_by == "self"

solo if people.approved_by == people.requested_by

# METADATA
# scope: document
# title: deny
# description: Guarded risk classes need a second person and a rollback reference.
deny contains findings.finding(
	"ops/self-approval",
	sprintf("%s: %s needs an approver other than the requester (approved_by %q, requested_by %q)", [entry.operation_id, entry.risk_class, entry.approved_by, entry.requested_by]),
	findings.at("/entry/approved_by"),
) if {
	entry.risk_class in guarded_classes
	solo
}

deny contains findings.finding(
	"ops/missing-rollback-ref",
	sprintf("%s: %s needs a rollback_ref", [entry.operation_id, entry.risk_class]),
	findings.at("/entry/rollback_ref"),
) if {
	entry.risk_class in guarded_classes
	people.rollback_ref == ""
}

deny contains findings.finding(
	"ops/solo-not-allowed",
	sprintf("%s: solo approval (approved_by %q) is not allowed by this project's policy (ops.soloAllowed)", [entry.operation_id, entry.approved_by]),
	findings.at("/entry/approved_by"),
) if {
	not entry.risk_class in guarded_classes
	solo
	not input.settings.solo_allowed
}
