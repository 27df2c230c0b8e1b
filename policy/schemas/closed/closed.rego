# METADATA
# title: "Object schemas are closed"
# description: >-
#   gatehouse's own formats reject unknown fields: every subschema that can validate an object (type object
#   or a list holding it, or object keywords such as properties without a type; at the top, in properties,
#   items, prefixItems, patternProperties, $defs, allOf/anyOf/oneOf, then/else or dependentSchemas) sets
#   additionalProperties or unevaluatedProperties to false, or sits in place under one that does (allOf
#   branches; a $defs mixin whose every local $ref is closed). An object below the top may be declared open
#   explicitly (additionalProperties true, or a value schema: a map); the top-level object never.
# custom:
#   code: schemas/open-object
#   severity: error
package gatehouse.schemas.closed

import data.gatehouse.lib.findings

# Keywords whose subschemas describe the same instance (in place).
in_place_arrays := {"allOf", "anyOf", "oneOf"}

in_place_singles := {"then", "else"}

in_place_maps := {"dependentSchemas"}

# Keywords whose subschemas describe a child of the instance. `not`, `if` and propertyNames are
# left out: closing them would change what the schema means, not close the object.
child_singles := {"items", "contains", "additionalItems", "additionalProperties", "unevaluatedProperties", "unevaluatedItems"}

child_arrays := {"prefixItems"}

child_maps := {"properties", "patternProperties"}

definition_maps := {"$defs", "definitions"}

object_keywords := {
	"properties", "patternProperties", "additionalProperties", "unevaluatedProperties", "required",
	"propertyNames", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas",
}

# Every object in the document, by path; which of them are schemas is decided by reachability.
nodes[path] := value if {
	walk(input.schema, [path, value])
	is_object(value)
}

# One link per subschema position: from a schema to its subschema, with the kind of step.
links contains {"from": path, "to": array.concat(path, [keyword]), "kind": kind} if {
	some path, value in nodes
	some keyword, kind in single_keywords
	is_object(value[keyword])
}

links contains {"from": path, "to": array.concat(path, [keyword, key]), "kind": kind} if {
	some path, value in nodes
	some keyword, kind in multi_keywords
	some key, item in value[keyword]
	is_object(item)
}

single_keywords := object.union({k: "in-place" | some k in in_place_singles}, {k: "child" | some k in child_singles})

multi_keywords := object.union_n([
	{k: "in-place" | some k in in_place_multi},
	{k: "child" | some k in child_multi},
	{k: "definition" | some k in definition_maps},
])

in_place_multi := in_place_arrays | in_place_maps

child_multi := child_arrays | child_maps

# Local $refs (`#` or a JSON pointer into this document) resolved to the path they name.
refs contains {"from": path, "to": target} if {
	some path, value in nodes
	is_string(value["$ref"])
	startswith(value["$ref"], "#")
	some target, _ in nodes
	pointer(target) == substring(value["$ref"], 1, -1)
}

every_edge[from] := {link.to | some link in links; link.from == from} if some from, _ in nodes

in_place_edge[from] := {link.to | some link in links; link.from == from; link.kind == "in-place"} if some from, _ in nodes

# Steps that stay on the document's own instances (a $defs entry is reached only through a $ref).
instance_edge[from] := {link.to | some link in links; link.from == from; link.kind != "definition"} if some from, _ in nodes

ref_edge[from] := {ref.to | some ref in refs; ref.from == from} if some from, _ in nodes

# allOf branches and local $refs always apply to the same instance: closing one closes it.
always_edge[from] := allof_targets(from) | ref_edge[from] if some from, _ in nodes

allof_targets(from) := {link.to | some link in links; link.from == from; link.to[count(link.to) - 2] == "allOf"}

locations := graph.reachable(every_edge, {[]})

# Paths below a child step: the instance there is a property or an item, not the document.
nested := graph.reachable(instance_edge, {link.to | some link in links; link.kind == "child"})

definitions contains link.to if {
	some link in links
	link.kind == "definition"
}

object_typed(schema) if schema.type == "object"

object_typed(schema) if {
	is_array(schema.type)
	"object" in schema.type
}

object_typed(schema) if {
	not "type" in object.keys(schema)
	some keyword in object_keywords
	keyword in object.keys(schema)
}

self_sealed(schema) if schema.additionalProperties == false

self_sealed(schema) if schema.unevaluatedProperties == false

self_sealed(schema) if false in object.get(schema, "allOf", [])

# Closed by itself, through its allOf branches or local $refs, or because every anyOf/oneOf branch
# that can accept an object is closed that way.
sealed_through(path) if {
	some reached in graph.reachable(always_edge, {path})
	self_sealed(nodes[reached])
}

sealed(path) if sealed_through(path)

sealed(path) if {
	some keyword in {"anyOf", "oneOf"}
	branches := nodes[path][keyword]
	count(branches) > 0
	every i, branch in branches {
		sealed_branch(array.concat(path, [keyword, i]), branch)
	}
}

sealed_branch(_, branch) if not may_accept_object(branch)

sealed_branch(path, branch) if {
	is_object(branch)
	sealed_through(path)
}

may_accept_object(true)

may_accept_object(schema) if {
	is_object(schema)
	object_typed(schema)
}

may_accept_object(schema) if {
	is_object(schema)
	not "type" in object.keys(schema)
	not "const" in object.keys(schema)
	not "enum" in object.keys(schema)
}

# Every schema whose instance an in-place ancestor (or the schema itself) closes.
covered := graph.reachable(in_place_edge, {path | some path in locations; sealed(path)})

# A $defs entry used as a mixin: open itself, but every local $ref to it sits where the object is
# closed (e.g. beside unevaluatedProperties: false). Its in-place branches count with it.
mixin_covered contains path if {
	some definition in definitions
	sites := {ref.from | some ref in refs; ref.to == definition}
	count(sites) > 0
	every site in sites {
		site in covered
	}
	some path in graph.reachable(in_place_edge, {definition})
}

# A $defs entry referenced only from nested places is nested too.
nested_definition contains path if {
	some definition in definitions
	sites := {ref.from | some ref in refs; ref.to == definition}
	count(sites) > 0
	every site in sites {
		site in nested
	}
	some path in graph.reachable(in_place_edge, {definition})
}

# An explicit additionalProperties (true, or a schema for the values: a map) below the top.
declared_open(path) if {
	nested_location(path)
	some keyword in {"additionalProperties", "unevaluatedProperties"}
	nodes[path][keyword] != false
}

nested_location(path) if path in nested

nested_location(path) if path in nested_definition

pointer(path) := concat("", [sprintf("/%s", [escape(step)]) | some step in path])

escape(step) := replace(replace(sprintf("%v", [step]), "~", "~0"), "/", "~1")

open_objects contains path if {
	some path in locations
	object_typed(nodes[path])
	not path in covered
	not path in mixin_covered
	not declared_open(path)
}

# METADATA
# scope: document
# title: deny
# description: Object schemas are closed.
deny contains findings.finding(
	"schemas/open-object",
	sprintf("%s: a top-level object schema must set additionalProperties: false", [input.file]),
	findings.at("/schema/additionalProperties"),
) if {
	[] in open_objects
}

deny contains findings.finding(
	"schemas/open-object",
	sprintf(
		"%s: the object schema at %s must set additionalProperties: false or unevaluatedProperties: false",
		[input.file, pointer(path)],
	),
	findings.at(sprintf("/schema%s/additionalProperties", [pointer(path)])),
) if {
	some path in open_objects
	path != []
}
