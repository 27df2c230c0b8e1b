package gatehouse.schemas.documented_test

import data.gatehouse.schemas.documented

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

test_fail_no_title if {
	got := documented.deny with input as object.union(object.remove(base, ["schema"]), {"schema": object.remove(base.schema, ["title"])})
	got == {{"code": "schemas/undocumented", "msg": "a.v1.schema.json: schema needs a non-empty title", "location": {"pointer": "/schema/title"}}}
}

test_success_documented if {
	got := documented.deny with input as base
	got == set()
}
