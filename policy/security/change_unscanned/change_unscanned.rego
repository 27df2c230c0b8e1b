# METADATA
# title: "Every changed file could be reviewed"
# description: |
#   A changed file the security review could not read (too large for `maxFileBytes`, unreadable,
#   a FIFO or a link out of the repository): what was not read cannot be shown free of secrets,
#   so it denies. Binary files, symbolic links, deleted and excluded files are skipped on purpose.
# custom:
#   code: security/change-unscanned
#   severity: error
package gatehouse.security.change_unscanned

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: A changed file that could not be read.
deny contains findings.finding(
	"security/change-unscanned",
	sprintf("%s (%s): not reviewed, %s: %s; exclude it in collectors.security.exclude if it holds no code, configuration or log", [file.path, file.status, file.scan, object.get(file, "reason", "no reason given")]),
	{"location": {"file": file.path}, "scope": "change"},
) if {
	count(input.checks) > 0
	some file in input.files
	file.scan in {"unreadable", "too-large"}
}
