# METADATA
# title: "The provider is listed in the watcher registry"
# description: "Only receipts from providers/watchers on the allow-list may be promoted."
# custom:
#   code: promotion/provider-unlisted
#   severity: error
package gatehouse.promotion.provider_listed

import data.gatehouse.lib.findings

# METADATA
# title: deny
# description: The receipt's provider is not in the registry.
deny contains findings.finding(
	"promotion/provider-unlisted",
	sprintf("provider %q is not listed in the watcher registry", [input.provider.id]),
	findings.at("/receipt/document/provider/id"),
) if {
	input.registry.status == "ok"
	not input.provider.listed
}
