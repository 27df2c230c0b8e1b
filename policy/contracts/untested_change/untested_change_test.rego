package gatehouse.contracts.untested_change_test

import data.gatehouse.contracts.untested_change

change := {
	"code": "contracts/default-changed", "severity": "RISKY", "id": "src/a.ts#retry", "fingerprint": "f1", "symbol": {"name": "retry", "module": "src/a.ts"},
	"language": "typescript", "message": "default changed", "callSites": [{"file": "test/a.test.ts", "line": 4}],
}

meta := {"change": "contracts/default-changed", "symbol": "src/a.ts#retry", "severity": "RISKY", "callSites": [{"file": "test/a.test.ts", "line": 4}]}

file(name, extra) := object.union({"file": name, "exists": true, "test": true, "calls": [], "callsAtBase": []}, extra)

denied(note, callers) := {{
	"code": "contracts/untested-change",
	"msg": sprintf("RISKY contracts/default-changed on src/a.ts#retry: the change touches no test file that calls retry; %s", [note]),
	"location": {"pointer": "/changes/0"},
	"metadata": object.union(meta, {"testFiles": callers}),
	"suggested_fix": untested_change.fix,
}}

test_fail_caller_not_touched if {
	facts := {"files": [file("test/a.test.ts", {"calls": ["src/a.ts#retry"]}), file("test/b.test.ts", {"change": "modified"})]}
	got := untested_change.deny with input as {"changes": [change], "tests": facts}
	got == denied("test files that call it today: test/a.test.ts", ["test/a.test.ts"])
}

test_fail_no_caller_at_all if {
	got := untested_change.deny with input as {"changes": [change], "tests": {"base": "origin/main", "files": []}}
	got == denied("no test file calls it today", [])
}

test_fail_touched_caller_is_no_test if {
	facts := {"files": [file("src/b.ts", {"test": false, "change": "modified", "calls": ["src/a.ts#retry"]})]}
	got := untested_change.deny with input as {"changes": [change], "tests": facts}
	got == denied("no test file calls it today", [])
}

test_success_modified_caller if {
	facts := {"files": [file("test/a.test.ts", {"change": "modified", "calls": ["src/a.ts#retry"]})]}
	got := untested_change.deny with input as {"changes": [change], "tests": facts}
	got == set()
}

test_success_removal_test_stopped_calling if {
	removed := object.union(change, {"code": "contracts/symbol-removed", "severity": "BREAKING"})
	facts := {"files": [file("test/a.test.ts", {"change": "modified", "callsAtBase": ["src/a.ts#retry"]})]}
	got := untested_change.deny with input as {"changes": [removed], "tests": facts}
	got == set()
}

test_success_deleted_test_of_a_removal if {
	removed := object.union(change, {"code": "contracts/symbol-removed", "severity": "BREAKING"})
	facts := {"files": [file("test/a.test.ts", {"exists": false, "change": "deleted", "callsAtBase": ["src/a.ts#retry"]})]}
	got := untested_change.deny with input as {"changes": [removed], "tests": facts}
	got == set()
}

test_success_safe_change_needs_no_test if {
	safe := object.union(change, {"code": "contracts/symbol-added", "severity": "SAFE"})
	got := untested_change.deny with input as {"changes": [safe], "tests": {"files": []}}
	got == set()
}
