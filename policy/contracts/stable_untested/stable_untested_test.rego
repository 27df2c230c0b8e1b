package gatehouse.contracts.stable_untested_test

import data.gatehouse.contracts.stable_untested

stable(tests) := {"id": "src/a.ts#greet", "kind": "function", "tests": tests}

file(name, extra) := object.union({"file": name, "exists": true, "test": true, "calls": [], "callsAtBase": []}, extra)

denied(note, tests) := {{
	"code": "contracts/stable-untested",
	"msg": sprintf("stable function src/a.ts#greet has no test in the registry that exists and calls it (its tests: %s)", [note]),
	"location": {"pointer": "/stable/0"},
	"metadata": {"symbol": "src/a.ts#greet", "tests": tests},
	"suggested_fix": stable_untested.fix,
}}

test_fail_no_test_reference if {
	got := stable_untested.deny with input as {"stable": [stable([])], "tests": {"files": []}}
	got == denied("none", [])
}

test_fail_every_reference_fails if {
	facts := {"files": [
		file("test/gone.test.ts", {"exists": false}),
		file("src/b.ts", {"test": false, "calls": ["src/a.ts#greet"]}),
		file("test/a.test.ts", {"calls": ["src/a.ts#other"]}),
	]}
	tests := ["src/b.ts", "test/a.test.ts", "test/gone.test.ts"]
	got := stable_untested.deny with input as {"stable": [stable(tests)], "tests": facts}
	got == denied("src/b.ts is not a test file; test/a.test.ts does not call it; test/gone.test.ts does not exist", tests)
}

test_success_one_reference_calls_it if {
	facts := {"files": [file("test/gone.test.ts", {"exists": false}), file("test/a.test.ts", {"calls": ["src/a.ts#greet"]})]}
	got := stable_untested.deny with input as {"stable": [stable(["test/a.test.ts", "test/gone.test.ts"])], "tests": facts}
	got == set()
}

test_success_no_stable_contracts if {
	got := stable_untested.deny with input as {"stable": [], "tests": {"files": []}}
	got == set()
}

test_fail_located_at_the_declaration if {
	placed := object.union(stable([]), {"file": "src/a.ts", "line": 9})
	got := stable_untested.deny with input as {"stable": [placed], "tests": {"files": []}}
	got == {object.union(finding, {"location": {"pointer": "/stable/0", "file": "src/a.ts", "line": 9}}) | some finding in denied("none", [])}
}
