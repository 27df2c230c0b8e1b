package gatehouse.ops.lib.scope_test

import data.gatehouse.ops.lib.scope

test_success_double_star_spans_directories if {
	scope.path_matches(["/etc/nginx/**"], "/etc/nginx/conf.d/site.conf")
	scope.path_matches(["config/*.yaml"], "config/app.yaml")
	not scope.path_matches(["config/*.yaml"], "config/sub/app.yaml")
}

test_success_service_suffix_ignored if {
	scope.name_matches(["nginx.service"], "nginx")
	scope.name_matches(["worker-*"], "worker-3")
	scope.name_matches(["orders*"], "orders.v2.replay")
	not scope.name_matches(["nginx"], "postgresql")
}
