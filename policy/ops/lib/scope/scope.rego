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

# METADATA
# title: path_reaches
# scope: document
# description: |
#   True when a written `path` may touch a path one of `globs` matches. A written path is itself
#   a pattern: the shell expands `deploy/nginx/*`, a recursive write is `DIR/**`, and removing
#   or replacing a directory touches everything under it. So the glob need not match the text:
#   it is enough that some path matches both (`rm -rf deploy/nginx/tls` or `find deploy/nginx
#   -delete` reach `deploy/nginx/tls/**`), and `**` is any depth, none included (`**/*.key`
#   reaches `x.key`).
path_reaches(globs, path) if path_matches(globs, path)

path_reaches(globs, path) if {
	some pattern in globs
	patterns_meet(pattern, path)
}

# Some path matches both patterns: the pairs of segments still to match, (glob segment i,
# written segment j), are walked as a graph; both ends reached means a common path exists.
patterns_meet(glob_text, path) if {
	gs := split(glob_text, "/")
	ws := split(path, "/")
	edges := {[i, j]: segment_steps(gs, ws, i, j) |
		some i in numbers.range(0, count(gs))
		some j in numbers.range(0, count(ws))
	}
	[count(gs), count(ws)] in graph.reachable(edges, {[0, 0]})
}

segment_steps(gs, ws, i, j) := (({[i + 1, j] | spans(gs[i])} | {[i, j + 1] | spans(gs[i]); j < count(ws)}) | ({[i, j + 1] | spans(ws[j])} | {[i + 1, j] | spans(ws[j]); i < count(gs)})) | {[i + 1, j + 1] | segments_meet(gs[i], ws[j])}

# A segment holding ** matches any number of segments (none included).
spans(segment) if contains(segment, "**")

glob_meta := `[*?\[\]{}\\]`

literal_segment(segment) if not regex.match(glob_meta, segment)

# Only * and ? besides literal text: glob.match reads it as the shell does within one segment.
simple_segment(segment) if not regex.match(`[\[\]{}\\]`, segment)

segments_meet(a, b) if a == b

segments_meet(a, b) if {
	not literal_segment(a)
	simple_segment(a)
	literal_segment(b)
	glob.match(a, ["/"], b)
}

segments_meet(a, b) if {
	literal_segment(a)
	not literal_segment(b)
	simple_segment(b)
	glob.match(b, ["/"], a)
}

# Two patterns of * and ?: they share a string when neither's fixed start and end contradict the other's.
segments_meet(a, b) if {
	not literal_segment(a)
	not literal_segment(b)
	simple_segment(a)
	simple_segment(b)
	affixes_agree(regex.split(glob_meta, a), regex.split(glob_meta, b))
}

# Brackets, braces and escapes: assumed to meet (a write is judged by what it may touch).
segments_meet(a, _) if not simple_segment(a)

segments_meet(_, b) if not simple_segment(b)

affixes_agree(pa, pb) if {
	prefixes_agree(pa[0], pb[0])
	suffixes_agree(pa[count(pa) - 1], pb[count(pb) - 1])
}

prefixes_agree(x, y) if startswith(x, y)

prefixes_agree(x, y) if startswith(y, x)

suffixes_agree(x, y) if endswith(x, y)

suffixes_agree(x, y) if endswith(y, x)
