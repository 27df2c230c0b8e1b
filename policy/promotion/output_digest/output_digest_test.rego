package gatehouse.promotion.output_digest_test

import data.gatehouse.promotion.output_digest

sha_a := "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

sha_b := "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

test_fail_digest_and_size if {
	got := output_digest.deny with input as {"outputs": [{
		"index": 0, "path": "a.csv",
		"declared": {"sha256": sha_a, "bytes": 10},
		"actual": {"status": "ok", "sha256": sha_b, "bytes": 11},
	}]}
	got == {
		{
			"code": "promotion/digest-mismatch",
			"msg": sprintf("output a.csv: sha256 on disk is %s, the receipt declares %s", [sha_b, sha_a]),
			"location": {"pointer": "/receipt/document/outputs/0/digest/sha256"},
		},
		{
			"code": "promotion/size-mismatch",
			"msg": "output a.csv: 11 bytes on disk, the receipt declares 10",
			"location": {"pointer": "/receipt/document/outputs/0/bytes"},
		},
	}
}

test_success_match_or_not_hashed if {
	got := output_digest.deny with input as {"outputs": [
		{"index": 0, "path": "a.csv", "declared": {"sha256": sha_a, "bytes": 10}, "actual": {"status": "ok", "sha256": sha_a, "bytes": 10}},
		{"index": 1, "path": "b.csv", "declared": {"sha256": sha_a, "bytes": 10}, "actual": {"status": "missing"}},
	]}
	got == set()
}
