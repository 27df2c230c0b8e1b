# METADATA
# title: "The provider may produce this output"
# description: "Each registry entry lists the output paths (globs, relative to the receipt) its provider may produce; any other output is denied."
# custom:
#   code: promotion/output-not-allowed
#   severity: error
package gatehouse.promotion.output_allowed

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: An output outside the provider's allowed globs.
deny contains findings.finding(
	"promotion/output-not-allowed",
	sprintf("output %s is not among the outputs provider %q may produce", [output.path, input.provider.id]),
	findings.at(sprintf("/receipt/document/outputs/%d/path", [output.index])),
) if {
	input.provider.listed
	some output in input.outputs
	output.path
	output.actual.status != "escapes"
	not output.allowedByProvider
}
