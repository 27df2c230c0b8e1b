package main

deny_root contains msg if {
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s must run as non-root", [input.metadata.name])
}

exception contains rules if {
	input.metadata.name == "api"
	rules := ["root"]
}
