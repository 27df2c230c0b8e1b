package gatehouse.schemas.closed_test

import data.gatehouse.schemas.closed

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

test_fail_open_object if {
	got := closed.deny with input as object.union(object.remove(base, ["schema"]), {"schema": object.remove(base.schema, ["additionalProperties"])})
	got == {{"code": "schemas/open-object", "msg": "a.v1.schema.json: a top-level object schema must set additionalProperties: false", "location": {"pointer": "/schema/additionalProperties"}}}
}

test_success_closed_object if {
	got := closed.deny with input as base
	got == set()
}
