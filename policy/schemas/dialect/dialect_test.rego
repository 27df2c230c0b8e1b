package gatehouse.schemas.dialect_test

import data.gatehouse.schemas.dialect

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

test_fail_draft_07 if {
	got := dialect.deny with input as object.union(base, {"schema": object.union(base.schema, {"$schema": "http://json-schema.org/draft-07/schema#"})})
	got == {{"code": "schemas/wrong-dialect", "msg": "a.v1.schema.json: $schema must be https://json-schema.org/draft/2020-12/schema", "location": {"pointer": "/schema/$schema"}}}
}

test_success_2020_12 if {
	got := dialect.deny with input as base
	got == set()
}
