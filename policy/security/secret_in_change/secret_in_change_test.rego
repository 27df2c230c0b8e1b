package gatehouse.security.secret_in_change_test

import data.gatehouse.security.secret_in_change

doc(checks, secrets) := {"checks": checks, "secrets": secrets}

secret := {"file": "logs/worker.log", "line": 4, "column": 18, "rule": "slack", "kind": "SLACK_TOKEN", "masked": "xoxb******** (56 characters)"}

test_fail_secret_in_log_line if {
	got := secret_in_change.deny with input as doc(["secrets"], [secret])
	got == {{
		"code": "security/secret-in-change",
		"msg": "logs/worker.log:4: SLACK_TOKEN (slack) on a changed line: xoxb******** (56 characters); rotate it and remove it from the change",
		"location": {"file": "logs/worker.log", "line": 4, "column": 18},
		"scope": "change",
	}}
}

test_success_no_secret if {
	got := secret_in_change.deny with input as doc(["secrets"], [])
	got == set()
}

test_success_check_off if {
	got := secret_in_change.deny with input as doc([], [secret])
	got == set()
}
