# METADATA
# title: Ops scope helpers
# description: Glob matching of paths, services and streams against an operation's declaration.
package gatehouse.ops.lib.scope

# METADATA
# title: path_matches
# description: True when `path` matches one of `globs` (/ separated, ** for any depth).
path_matches(globs, path) if {
	some pattern in globs
	glob.match(pattern, ["/"], path)
}

# METADATA
# title: name_matches
# description: |
#   True when a service or stream `name` matches one of `globs`. Dots are ordinary characters
#   (glob.match with no delimiters would treat "." as one, so "orders*" would miss "orders.v2").
name_matches(globs, name) if {
	some pattern in globs
	glob.match(trim_suffix(pattern, ".service"), ["/"], name)
}

# METADATA
# title: forbidden_globs
# description: Every path glob the declaration's NOT_ALLOWED forbids (paths and secrets).
forbidden_globs(declaration) := array.concat(declaration.NOT_ALLOWED.paths, declaration.NOT_ALLOWED.secrets)
