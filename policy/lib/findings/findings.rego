# METADATA
# title: Finding constructor
# description: |
#   Every gatehouse rule builds its finding through this one helper, so every finding has
#   the same shape: a stable code, a message, and whatever extra fields the rule adds
#   (location, metadata, suggested_fix).
package gatehouse.lib.findings

# METADATA
# title: finding
# description: A finding object with `code` and `msg`; `extra` may add fields but never override those two.
finding(code, msg, extra) := object.union(extra, {"code": code, "msg": msg})

# METADATA
# title: at
# description: A location pointing into the input document (RFC 6901 JSON pointer).
at(pointer) := {"location": {"pointer": pointer}}
