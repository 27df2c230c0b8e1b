# METADATA
# title: "Every schema has fixtures"
# description: "Each schema needs at least one valid and two invalid fixtures under fixtures/, so a change to it is caught by the regression suite."
# custom:
#   code: schemas/missing-fixtures
#   severity: error
package gatehouse.schemas.fixture_coverage

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: Every schema has fixtures.
deny contains findings.finding(
	"schemas/missing-fixtures",
	sprintf(
		"%s: needs >= 1 valid and >= 2 invalid fixtures, has %d valid and %d invalid",
		[input.file, input.fixtures.valid, input.fixtures.invalid],
	),
	{},
) if {
	some problem in [input.fixtures.valid < 1, input.fixtures.invalid < 2]
	problem
}
