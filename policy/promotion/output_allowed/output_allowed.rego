# METADATA
# title: "The provider may produce this output"
# description: "Each registry entry lists the output paths (globs, relative to the receipt) its provider may produce; an output whose path, or the file that path resolves to through symlinks, matches none of them is denied."
# custom:
#   code: promotion/output-not-allowed
#   severity: error
package gatehouse.promotion.output_allowed

import data.gatehouse.lib.findings

# METADATA
# scope: document
# title: deny
# description: An output outside the provider's allowed globs.
deny contains findings.finding(
	"promotion/output-not-allowed",
	sprintf("output %s is not among the outputs provider %q may produce", [output.path, input.provider.id]),
	findings.at(sprintf("/receipt/document/outputs/%d/path", [output.index])),
) if {
	some output in not_allowed
	not output.target
}

deny contains findings.finding(
	"promotion/output-not-allowed",
	sprintf("output %s resolves to %s; both must be among the outputs provider %q may produce", [output.path, output.target, input.provider.id]),
	findings.at(sprintf("/receipt/document/outputs/%d/path", [output.index])),
) if {
	some output in not_allowed
	output.target
}

not_allowed contains output if {
	input.provider.listed
	some output in input.outputs
	output.path
	output.actual.status != "escapes"
	not output.allowedByProvider
}
