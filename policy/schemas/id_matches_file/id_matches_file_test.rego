package gatehouse.schemas.id_matches_file_test

import data.gatehouse.schemas.id_matches_file

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

test_fail_wrong_id if {
	got := id_matches_file.deny with input as object.union(base, {"schema": object.union(base.schema, {"$id": "https://example.com/x.json"})})
	got == {{"code": "schemas/id-mismatch", "msg": "a.v1.schema.json: $id must be https://gatehouse.dev/schemas/a.v1.schema.json", "location": {"pointer": "/schema/$id"}}}
}

test_success_matching_id if {
	got := id_matches_file.deny with input as base
	got == set()
}
