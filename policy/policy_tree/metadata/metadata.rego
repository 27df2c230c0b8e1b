# METADATA
# title: "Every package has METADATA with a title"
# description: "Each non-test Rego module starts with a # METADATA block that has a title; the bundle manifest and SARIF rules are built from it."
# custom:
#   code: policy/missing-metadata
#   severity: error
package gatehouse.policy_tree.metadata

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: Every package has METADATA with a title.
deny contains findings.finding(
	"policy/missing-metadata",
	sprintf("%s: package %s needs a # METADATA block with a title", [module.file, module.package]),
	{"location": {"file": module.file}},
) if {
	some module in input.modules
	not module.test
	not documented(module)
}

documented(module) if {
	module.metadata
	module.title
}
