package gatehouse.ops.execution.unverifiable_command_test

import data.gatehouse.ops.execution.unverifiable_command

step(command) := {"number": 1, "timestamp": "2026-11-21T09:00:00Z", "command": command, "result": "", "status": "PASS"}

fact(items) := {"number": 1, "utc": "2026-11-21T09:00:00.000000000Z", "mutating": true, "writes": [], "services": [], "streams": [], "categories": [], "unverifiable": items}

test_fail_inline_code if {
	doc := {
		"declaration": {"ALLOWED_SERVICES": ["nginx"]},
		"log": {"steps": [step("python3 -c 'open(\"/etc/x\", \"w\")'")]},
		"facts": [fact([{"command": "python3", "reason": "runs inline code (-c)"}])],
	}
	got := unverifiable_command.deny with input as doc
	got == {{
		"code": "ops/unverifiable-command",
		"msg": "step 1 (python3 -c 'open(\"/etc/x\", \"w\")'): python3 cannot be analysed (runs inline code (-c)); name it in ALLOWED_COMMANDS to run it",
		"location": {"pointer": "/log/steps/0/command"},
	}}
}

test_fail_other_command_declared if {
	doc := {
		"declaration": {"ALLOWED_COMMANDS": ["deploy.sh"]},
		"log": {"steps": [step("./migrate")]},
		"facts": [fact([{"command": "./migrate", "reason": "a program outside the system directories, which gatehouse cannot know"}])],
	}
	got := unverifiable_command.deny with input as doc
	got == {{
		"code": "ops/unverifiable-command",
		"msg": "step 1 (./migrate): ./migrate cannot be analysed (a program outside the system directories, which gatehouse cannot know); name it in ALLOWED_COMMANDS to run it",
		"location": {"pointer": "/log/steps/0/command"},
	}}
}

test_success_declared if {
	doc := {
		"declaration": {"ALLOWED_COMMANDS": ["./scripts/*.sh"]},
		"log": {"steps": [step("./scripts/deploy.sh")]},
		"facts": [fact([{"command": "./scripts/deploy.sh", "reason": "a program outside the system directories"}])],
	}
	got := unverifiable_command.deny with input as doc
	got == set()
}

test_success_nothing_unverifiable if {
	doc := {"declaration": {}, "log": {"steps": [step("ls")]}, "facts": [fact([])]}
	got := unverifiable_command.deny with input as doc
	got == set()
}
