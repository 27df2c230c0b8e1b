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

# The document with its top-level keywords replaced by `schema` (the header keys kept).
with_schema(schema) := object.union(object.remove(base, ["schema"]), {"schema": object.union(object.remove(base.schema, ["type", "additionalProperties"]), schema)})

top_finding := {"code": "schemas/open-object", "msg": "a.v1.schema.json: a top-level object schema must set additionalProperties: false", "location": {"pointer": "/schema/additionalProperties"}}

nested_finding(pointer) := {
	"code": "schemas/open-object",
	"msg": sprintf("a.v1.schema.json: the object schema at %s must set additionalProperties: false or unevaluatedProperties: false", [pointer]),
	"location": {"pointer": sprintf("/schema%s/additionalProperties", [pointer])},
}

test_fail_open_object if {
	got := closed.deny with input as with_schema({"type": "object"})
	got == {top_finding}
}

test_fail_type_list_with_object if {
	got := closed.deny with input as with_schema({"type": ["object"]})
	got == {top_finding}
}

test_fail_type_object_or_null if {
	got := closed.deny with input as with_schema({"type": ["object", "null"]})
	got == {top_finding}
}

test_fail_properties_without_type if {
	got := closed.deny with input as with_schema({"properties": {"a": {"type": "string"}}})
	got == {top_finding}
}

test_fail_required_without_type if {
	got := closed.deny with input as with_schema({"required": ["a"]})
	got == {top_finding}
}

test_fail_top_level_declared_open if {
	got := closed.deny with input as with_schema({"type": "object", "additionalProperties": true})
	got == {top_finding}
}

test_fail_top_level_map if {
	got := closed.deny with input as with_schema({"type": "object", "additionalProperties": {"type": "string"}})
	got == {top_finding}
}

test_fail_all_of_object if {
	got := closed.deny with input as with_schema({"allOf": [{"type": "object"}]})
	got == {nested_finding("/allOf/0")}
}

test_fail_all_of_declared_open_is_still_the_top if {
	got := closed.deny with input as with_schema({"allOf": [{"type": "object", "additionalProperties": true}]})
	got == {nested_finding("/allOf/0")}
}

test_fail_any_of_object if {
	got := closed.deny with input as with_schema({"anyOf": [{"type": "object"}, {"type": "null"}]})
	got == {nested_finding("/anyOf/0")}
}

test_fail_one_of_one_open_branch if {
	got := closed.deny with input as with_schema({"oneOf": [{"type": "object", "additionalProperties": false}, {"properties": {"b": true}}]})
	got == {nested_finding("/oneOf/1")}
}

test_fail_any_of_unconstrained_branch_leaves_the_object_open if {
	got := closed.deny with input as with_schema({"type": "object", "anyOf": [{"additionalProperties": false}, {}]})
	got == {top_finding}
}

test_fail_then_else if {
	got := closed.deny with input as with_schema({"if": {"type": "object"}, "then": {"type": "object"}, "else": {"type": "object", "additionalProperties": false}})
	got == {nested_finding("/then")}
}

test_fail_nested_property if {
	got := closed.deny with input as with_schema({"type": "object", "additionalProperties": false, "properties": {"a/b": {"type": ["object", "null"]}}})
	got == {nested_finding("/properties/a~1b")}
}

test_fail_items_and_prefix_items if {
	schema := {"type": "object", "additionalProperties": false, "properties": {"list": {"type": "array", "items": {"properties": {"b": true}}, "prefixItems": [{"type": "object"}]}}}
	got := closed.deny with input as with_schema(schema)
	got == {nested_finding("/properties/list/items"), nested_finding("/properties/list/prefixItems/0")}
}

test_fail_pattern_properties if {
	got := closed.deny with input as with_schema({"type": "object", "additionalProperties": false, "patternProperties": {"^x-": {"required": ["a"]}}})
	got == {nested_finding("/patternProperties/^x-")}
}

test_fail_dependent_schemas_of_an_open_object if {
	schema := {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "array", "items": {"dependentSchemas": {"b": {"type": "object"}}}}}}
	got := closed.deny with input as with_schema(schema)
	got == {nested_finding("/properties/a/items"), nested_finding("/properties/a/items/dependentSchemas/b")}
}

test_fail_definition if {
	got := closed.deny with input as with_schema({"type": "object", "additionalProperties": false, "$defs": {"x": {"type": "object"}}})
	got == {nested_finding("/$defs/x")}
}

test_fail_mixin_also_used_where_nothing_closes_it if {
	schema := {
		"type": "object", "unevaluatedProperties": false, "$ref": "#/$defs/m",
		"properties": {"z": {"$ref": "#/$defs/m"}},
		"$defs": {"m": {"type": "object", "properties": {"a": true}}},
	}
	got := closed.deny with input as with_schema(schema)
	got == {nested_finding("/$defs/m")}
}

test_success_closed_object if {
	got := closed.deny with input as base
	got == set()
}

test_success_unevaluated_properties_closes_all_of_branches if {
	got := closed.deny with input as with_schema({"type": "object", "unevaluatedProperties": false, "allOf": [{"properties": {"a": true}}]})
	got == set()
}

test_success_closed_all_of_branch if {
	got := closed.deny with input as with_schema({"allOf": [{"type": "object", "additionalProperties": false}]})
	got == set()
}

test_success_every_object_branch_closed if {
	got := closed.deny with input as with_schema({"type": ["object", "null"], "anyOf": [{"additionalProperties": false, "properties": {"a": true}}, {"type": "null"}]})
	got == set()
}

test_success_mixin_closed_where_used if {
	schema := {"type": "object", "unevaluatedProperties": false, "$ref": "#/$defs/m", "$defs": {"m": {"type": "object", "properties": {"a": true}}}}
	got := closed.deny with input as with_schema(schema)
	got == set()
}

test_success_nested_map_and_declared_open if {
	schema := {"type": "object", "additionalProperties": false, "properties": {
		"labels": {"type": "object", "additionalProperties": {"type": "string"}},
		"metadata": {"type": "object", "additionalProperties": true},
	}}
	got := closed.deny with input as with_schema(schema)
	got == set()
}

test_success_values_are_not_schemas if {
	schema := {"type": "object", "additionalProperties": false, "properties": {"a": {"const": {"type": "object"}, "default": {"type": "object"}}}}
	got := closed.deny with input as with_schema(schema)
	got == set()
}

test_success_not_an_object_schema if {
	got := closed.deny with input as with_schema({"type": "string"})
	got == set()
}
