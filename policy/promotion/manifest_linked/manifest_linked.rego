# METADATA
# title: "The receipt links to a valid manifest by digest"
# description: "The receipt's manifest.digest must match a manifest on disk (its path hint, or one found by promotion.manifests), and that manifest must pass run-manifest.v1 and carry the same runId."
# custom:
#   codes:
#     - promotion/manifest-unlinked
#     - promotion/manifest-digest-mismatch
#     - promotion/manifest-invalid
#   severity: error
package gatehouse.promotion.manifest_linked

import data.gatehouse.lib.findings

# METADATA
# title: deny
# scope: document
# description: No manifest with the declared digest, a different digest at the hinted path, or an invalid manifest.
deny contains findings.finding(
	"promotion/manifest-unlinked",
	sprintf("no run manifest with sha256 %s was found", [input.manifest.declaredSha256]),
	findings.at("/receipt/document/manifest/digest/sha256"),
) if {
	input.manifest.status == "missing"
}

deny contains findings.finding(
	"promotion/manifest-digest-mismatch",
	sprintf("manifest %s has sha256 %s, the receipt declares %s", [input.manifest.path, input.manifest.actualSha256, input.manifest.declaredSha256]),
	findings.at("/receipt/document/manifest/digest/sha256"),
) if {
	input.manifest.status == "digest-mismatch"
}

deny contains findings.finding(
	"promotion/manifest-invalid",
	sprintf("manifest %s is invalid: %s", [input.manifest.path, concat("; ", input.manifest.problems)]),
	findings.at("/manifest"),
) if {
	input.manifest.status == "invalid"
}
