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

test_success_written_patterns_reach_what_they_may_expand_to if {
	scope.path_reaches(["deploy/nginx/tls/**"], "deploy/nginx/tls")
	scope.path_reaches(["deploy/nginx/tls/**"], "deploy/nginx/*")
	scope.path_reaches(["deploy/nginx/tls/**"], "deploy/nginx/**")
	scope.path_reaches(["**/*.key"], "deploy/x/**")
	scope.path_reaches(["**/*.key"], "x.key")
	scope.path_reaches(["**/*.key"], "deploy/nginx/*.k*")
	not scope.path_reaches(["deploy/nginx/tls/**"], "deploy/nginx/nginx.conf")
	not scope.path_reaches(["**/*.key"], "deploy/nginx/*.conf")
	not scope.path_reaches(["/etc/nginx/tls/**", "**/*.key"], "/etc/nginx/nginx.conf")
}
