package gatehouse.schemas.versioned_name_test

import data.gatehouse.schemas.versioned_name

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

test_fail_unversioned_name if {
	got := versioned_name.deny with input as object.union(base, {"file": "receipt.json", "versioned": false})
	got == {{"code": "schemas/unversioned-name", "msg": "receipt.json: schema file names must look like <name>.v<N>.schema.json"}}
}

test_success_versioned_name if {
	got := versioned_name.deny with input as base
	got == set()
}
