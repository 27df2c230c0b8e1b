# A conftest policy directory used unchanged by the parity test: gatehouse check and conftest test
# must agree on pass/fail for every file in ../inputs.
package main

import data.lib.k8s

deny contains msg if {
	k8s.is_deployment
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s: containers must not run as root", [input.metadata.name])
}

deny contains msg if {
	some container in input.spec.template.spec.containers
	endswith(container.image, ":latest")
	msg := sprintf("%s: image %q uses the latest tag", [input.metadata.name, container.image])
}

violation contains {"msg": msg, "code": "k8s/replicas"} if {
	k8s.is_deployment
	input.spec.replicas < 2
	msg := sprintf("%s: needs at least 2 replicas, has %d", [input.metadata.name, input.spec.replicas])
}

deny_privileged contains msg if {
	some container in input.spec.template.spec.containers
	container.securityContext.privileged == true
	msg := sprintf("%s: container %s is privileged", [input.metadata.name, container.name])
}

warn contains msg if {
	not input.metadata.labels.owner
	msg := sprintf("%s: no owner label", [input.metadata.name])
}

exception contains rules if {
	input.metadata.annotations["policy.example.com/privileged-ok"] == "true"
	rules := ["privileged"]
}
