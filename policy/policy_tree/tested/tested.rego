# METADATA
# title: "Every rule folder has its test beside it"
# description: "Regal layout: each rule folder holds its rule and a _test.rego beside it."
# custom:
#   code: policy/missing-test
#   severity: error
package gatehouse.policy_tree.tested

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: Every rule folder has its test beside it.
deny contains findings.finding(
	"policy/missing-test",
	sprintf("%s: rule folder has no _test.rego", [folder.folder]),
	{"location": {"file": folder.sources[0]}},
) if {
	some folder in input.folders
	count(folder.sources) > 0
	count(folder.tests) == 0
}
