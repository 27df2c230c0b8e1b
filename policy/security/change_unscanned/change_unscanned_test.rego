package gatehouse.security.change_unscanned_test

import data.gatehouse.security.change_unscanned

test_fail_too_large if {
	got := change_unscanned.deny with input as {"checks": ["secrets"], "files": [
		{"path": "logs/big.log", "status": "untracked", "changedLines": 0, "scan": "too-large", "reason": "20971520 bytes, over the 10485760-byte limit"},
		{"path": "img/logo.png", "status": "added", "changedLines": 0, "scan": "binary"},
	]}
	got == {{
		"code": "security/change-unscanned",
		"msg": "logs/big.log (untracked): not reviewed, too-large: 20971520 bytes, over the 10485760-byte limit; exclude it in collectors.security.exclude if it holds no code, configuration or log",
		"location": {"file": "logs/big.log"},
		"scope": "change",
	}}
}

test_success_no_check_on if {
	got := change_unscanned.deny with input as {"checks": [], "files": [{"path": "a", "status": "added", "changedLines": 0, "scan": "unreadable"}]}
	got == set()
}
