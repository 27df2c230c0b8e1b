package gatehouse.schemas.fixture_coverage_test

import data.gatehouse.schemas.fixture_coverage

base := {
	"file": "a.v1.schema.json",
	"name": "a.v1",
	"versioned": true,
	"schema": {
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id": "https://gatehouse.dev/schemas/a.v1.schema.json",
		"title": "A",
		"description": "An A.",
		"type": "object",
		"additionalProperties": false,
	},
	"fixtures": {"valid": 1, "invalid": 2},
}

test_fail_one_invalid_fixture if {
	got := fixture_coverage.deny with input as object.union(base, {"fixtures": {"valid": 3, "invalid": 1}})
	got == {{"code": "schemas/missing-fixtures", "msg": "a.v1.schema.json: needs >= 1 valid and >= 2 invalid fixtures, has 3 valid and 1 invalid"}}
}

test_success_enough_fixtures if {
	got := fixture_coverage.deny with input as base
	got == set()
}
