# METADATA
# title: "The provider's registry entry is current"
# description: "A registry entry is valid from notBefore (when set) until expires, compared with time.now_ns (the injected clock). An unparsable date denies."
# custom:
#   code: promotion/provider-expired
#   severity: error
package gatehouse.promotion.provider_current

import data.gatehouse.lib.findings

# METADATA
# title: deny
# scope: document
# description: The provider's entry has expired or is not valid yet.
deny contains findings.finding(
	"promotion/provider-expired",
	sprintf("provider %q: its registry entry expired at %s", [input.provider.id, input.provider.expires]),
	findings.at("/provider/expires"),
) if {
	input.provider.listed
	not before_expiry
}

deny contains findings.finding(
	"promotion/provider-expired",
	sprintf("provider %q: its registry entry is not valid before %s", [input.provider.id, input.provider.notBefore]),
	findings.at("/provider/notBefore"),
) if {
	input.provider.listed
	input.provider.notBefore
	not after_not_before
}

before_expiry if time.now_ns() < time.parse_rfc3339_ns(input.provider.expires)

after_not_before if time.now_ns() >= time.parse_rfc3339_ns(input.provider.notBefore)
