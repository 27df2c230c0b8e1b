package gatehouse.promotion.manifest_linked_test

import data.gatehouse.promotion.manifest_linked

sha_a := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

sha_b := "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

test_fail_unlinked if {
	got := manifest_linked.deny with input as {"manifest": {"status": "missing", "declaredSha256": sha_a, "problems": []}}
	got == {{"code": "promotion/manifest-unlinked", "msg": sprintf("no run manifest with sha256 %s was found", [sha_a]), "location": {"pointer": "/receipt/document/manifest/digest/sha256"}}}
}

test_fail_digest_mismatch if {
	got := manifest_linked.deny with input as {"manifest": {"status": "digest-mismatch", "path": "m.json", "declaredSha256": sha_a, "actualSha256": sha_b, "problems": []}}
	got == {{"code": "promotion/manifest-digest-mismatch", "msg": sprintf("manifest m.json has sha256 %s, the receipt declares %s", [sha_b, sha_a]), "location": {"pointer": "/receipt/document/manifest/digest/sha256"}}}
}

test_fail_invalid if {
	got := manifest_linked.deny with input as {"manifest": {"status": "invalid", "path": "m.json", "declaredSha256": sha_a, "problems": ["runId differs"]}}
	got == {{"code": "promotion/manifest-invalid", "msg": "manifest m.json is invalid: runId differs", "location": {"pointer": "/manifest"}}}
}

test_success_linked if {
	got := manifest_linked.deny with input as {"manifest": {"status": "linked", "path": "m.json", "declaredSha256": sha_a, "actualSha256": sha_a, "problems": []}}
	got == set()
}
