# METADATA
# title: "Untrusted content reaches a model or a tool only through a sanitizer"
# description: |
#   A parameter marked `@untrusted` (or of an exported function in an `untrustedModules`
#   module, such as email ingestion) flows, in its module or through direct calls, into a
#   function marked `@prompt` or `@tool` without passing a function marked `@sanitizer`. The
#   finding names the whole path, from the parameter to the sink.
# custom:
#   code: security/untrusted-to-model
#   severity: error
package gatehouse.security.untrusted_to_model

import data.gatehouse.lib.security

# METADATA
# title: deny
# description: An unsanitized path from untrusted content to a prompt or tool.
deny contains security.finding(
	"security/untrusted-to-model",
	sprintf("%s:%d: untrusted %s of %s reaches @%s %s without a @sanitizer: %s", [flow.file, flow.line, flow.source.param, flow.source.function, flow.sink.kind, flow.sink.function, concat(" -> ", flow.path)]),
	flow,
) if {
	security.enabled("untrusted")
	some flow in input.flows
	not flow.sanitizedBy
}
