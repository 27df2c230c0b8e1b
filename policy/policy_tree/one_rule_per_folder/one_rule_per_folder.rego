# METADATA
# title: "One rule per folder"
# description: "Regal layout: a rule folder holds exactly one non-test module, so a rule, its test and its docs move together."
# custom:
#   code: policy/crowded-folder
#   severity: error
package gatehouse.policy_tree.one_rule_per_folder

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: One rule per folder.
deny contains findings.finding(
	"policy/crowded-folder",
	sprintf("%s: %d modules in one rule folder (%s)", [folder.folder, count(folder.sources), concat(", ", folder.sources)]),
	{"location": {"file": folder.sources[0]}},
) if {
	some folder in input.folders
	count(folder.sources) > 1
}
