// Issue 14, twelfth pass, promotion & ops. Ops commands whose facts came out empty while the
// command runs code or writes outside the declaration:
// - bash evaluates as arithmetic (running the `$(...)` of an array subscript held in literal
//   text or in a variable's value) more places than `(( ))`, `$(( ))` and `[[ -eq ]]`: the
//   variable names builtins take (`printf -v`, `read`, `test -v`, `unset`, `declare`/`local`/
//   `export`/`readonly NAME[SUB]=`, `wait -p`), the integer attribute (`declare -i n; n='a[$(..)]'`),
//   substring offsets (`${v:x}`), compound array indices (`b=([x]=1)`), indirect expansion
//   (`${!x}`), and `${x@P}`, which runs the command substitutions in a value;
// - declarations reached as a plain command (`builtin export PATH=/tmp/x`, `! export ...`,
//   `time export ...`, `command declare -n`, `builtin unset PATH`) were judged as read-only
//   commands, skipping every check of a declaration (PATH and the like, namerefs, subscripts);
// - `set -k` (`-o keyword`, `bash -k`) makes `ls PATH=/tmp/x` run /tmp/x/ls;
// - options of known programs that run a program or write a file: `sort --compress-program`,
//   `curl -w '%output{FILE}'`, `git -c` settings naming commands (filters, merge drivers,
//   protocol.ext.allow) and `ext::` remotes, `nginx -c/-g/-p/-e` and `apachectl -f/-C`
//   (a configuration the log does not show loads modules and writes files, even under -t);
//   sed's script given as `--expression=`, `-ne'SCRIPT'`, `-f/file` (getopt clusters and attached
//   values were read as plain flags, and the first file taken for the script), gawk's
//   `--load=inplace`/`-iinplace`, `-E FILE` and mawk's `-W exec FILE`.
// Promotion: an output replaced by a sparse file of a terabyte was hashed to the end before its
// size was compared with the declared one (a promote verify, or a gate with the receipts
// collector, of hours: a hang), and so did check-summary for a subject; a file more than 64 MiB
// over the size its receipt declares is not hashed to the end now. `receipt create` declared the
// temp file an interrupted earlier write of the same receipt left in the output directory as an
// output, then its own write removed it: a receipt naming an output that is gone.

import { existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codesOf, gatehouse, opsCheckSteps, promotionCopy } from "./harness.js";


const WRITE = "ops/write-out-of-scope";
const UNVERIFIABLE = "ops/unverifiable-command";

/** Runs `ops check` on one log holding every command as a verified step; the codes (and messages) per step. */
const check = (commands: string[]) => opsCheckSteps("twelfthpass-ops", commands);

const DENIED: [string, string][] = [
  // names whose subscript a builtin evaluates
  ["test -v 'a[$(touch /etc/evil)]'", UNVERIFIABLE],
  ["printf -v 'a[$(touch /etc/evil)]' x", UNVERIFIABLE],
  ["read 'a[$(touch /etc/evil)]' <<< x", UNVERIFIABLE],
  ["unset 'a[$(touch /etc/evil)]'", UNVERIFIABLE],
  ["declare 'a[$(touch /etc/evil)]=1'", UNVERIFIABLE],
  ["f() { local 'a[$(touch /etc/evil)]=1'; }; f", UNVERIFIABLE],
  ["typeset 'a[$(touch /etc/evil)]=1'", UNVERIFIABLE],
  ["x='a[$(touch /etc/evil)]'; printf -v 'd[x]' 1", UNVERIFIABLE],
  ["x='a[$(touch /etc/evil)]'; test -v 'e[x]'", UNVERIFIABLE],
  ["wait -p 'a[$(touch /etc/evil)]'", UNVERIFIABLE],
  // declarations reached as a plain command: through builtin/command/time, or negated
  ["builtin export PATH=/tmp/evil; ls", UNVERIFIABLE],
  ["! export PATH=/tmp/evil; ls", UNVERIFIABLE],
  ["time export PATH=/tmp/evil; ls", UNVERIFIABLE],
  ["command declare -n p=PATH; p=/tmp/evil; ls", UNVERIFIABLE],
  ["builtin unset PATH; ls", UNVERIFIABLE],
  ["builtin readonly LD_PRELOAD=/tmp/evil.so; ls", UNVERIFIABLE],
  ["builtin declare 'a[$(touch /etc/evil)]=1'", UNVERIFIABLE],
  ["command unset 'a[$(touch /etc/evil)]'", UNVERIFIABLE],
  ["builtin local -i n", UNVERIFIABLE],
  // set -k: NAME=VALUE arguments anywhere are assignments
  ["set -k; ls PATH=/tmp/evil", UNVERIFIABLE],
  ["set -o keyword; ls PATH=/tmp/evil", UNVERIFIABLE],
  ["set -ek; ls LD_PRELOAD=/tmp/evil.so", UNVERIFIABLE],
  ["bash -k -c 'ls PATH=/tmp/evil'", UNVERIFIABLE],
  ["sh -o keyword -c 'ls PATH=/tmp/evil'", UNVERIFIABLE],
  // the integer attribute
  ["declare -i n; n='a[$(touch /etc/evil)]'", UNVERIFIABLE],
  ["typeset -i k='a[$(touch /etc/evil)]'", UNVERIFIABLE],
  // expansions that evaluate a value
  ["x='a[$(touch /etc/evil)]'; echo ${PWD:x}", UNVERIFIABLE],
  ["x='a[$(touch /etc/evil)]'; y=abc; echo ${y:0:x}", UNVERIFIABLE],
  ["x='a[$(touch /etc/evil)]'; f=(1 2); echo ${f[@]:x}", UNVERIFIABLE],
  ["x='a[$(touch /etc/evil)]'; b=([x]=1)", UNVERIFIABLE],
  ["x='a[$(touch /etc/evil)]'; declare -a c; c+=([x]=1)", UNVERIFIABLE],
  ["x='a[$(touch /etc/evil)]'; echo ${!x}", UNVERIFIABLE],
  ["x='a[$(touch /etc/evil)]'; echo \"${!x}\"", UNVERIFIABLE],
  ["x='$(touch /etc/evil)'; y=${x@P}", UNVERIFIABLE],
  ["x='$(touch /etc/evil)'; echo \"${x@P}\"", UNVERIFIABLE],
  // options that run a program or write a file
  ["sort --compress-program=/tmp/evil -S1 /etc/nginx/nginx.conf", UNVERIFIABLE],
  ["curl -w '%output{/etc/cron.d/job}%{http_code}' http://127.0.0.1/healthz", WRITE],
  ["curl -sw '%output{>>/etc/passwd}x' http://127.0.0.1/healthz", WRITE],
  ["curl -w @/tmp/format http://127.0.0.1/healthz", UNVERIFIABLE],
  ["git -c filter.x.clean='touch /etc/evil' status", UNVERIFIABLE],
  ["git -c merge.x.driver='touch /etc/evil' status", UNVERIFIABLE],
  ["git -c protocol.ext.allow=always ls-remote 'ext::sh -c touch% /etc/evil'", UNVERIFIABLE],
  ["git ls-remote 'ext::sh -c touch% /etc/evil'", UNVERIFIABLE],
  ["git -c interactive.diffFilter='touch /etc/evil' status", UNVERIFIABLE],
  ["nginx -t -c /tmp/evil.conf", UNVERIFIABLE],
  ["nginx -g 'load_module /tmp/evil.so;'", UNVERIFIABLE],
  ["nginx -p /tmp/evil -s reload", UNVERIFIABLE],
  ["nginx -t -e /etc/evil", UNVERIFIABLE],
  ["nginx -tc/tmp/evil.conf", UNVERIFIABLE],
  ["apachectl -t -f /tmp/evil.conf", UNVERIFIABLE],
  ["apachectl -C 'LoadModule evil /tmp/evil.so' -k graceful", UNVERIFIABLE],
  // sed and awk options as getopt reads them
  ["sed --expression='1e touch /etc/evil' deploy/nginx/nginx.conf", UNVERIFIABLE],
  ["sed --expr='1e touch /etc/evil' deploy/nginx/nginx.conf", UNVERIFIABLE],
  ["sed -ne'1e touch /etc/evil' deploy/nginx/nginx.conf", UNVERIFIABLE],
  ["sed -es/a/b/w/etc/evil deploy/nginx/nginx.conf", UNVERIFIABLE],
  ["sed -f/tmp/evil.sed deploy/nginx/nginx.conf", UNVERIFIABLE],
  ["sed --file=/tmp/evil.sed deploy/nginx/nginx.conf", UNVERIFIABLE],
  ["sed -l 5 -i s/a/b/ /etc/passwd", WRITE],
  ["gawk --load=inplace '{print}' /etc/passwd", UNVERIFIABLE],
  ["gawk -iinplace '{print}' /etc/passwd", UNVERIFIABLE],
  ["awk -E /tmp/evil.awk deploy/nginx/nginx.conf", UNVERIFIABLE],
  ["awk -f/tmp/evil.awk deploy/nginx/nginx.conf", UNVERIFIABLE],
  ["mawk -W exec /tmp/evil.awk deploy/nginx/nginx.conf", UNVERIFIABLE],
  // backups kept beside the destination
  ["cp -b deploy/nginx/nginx.conf /etc/nginx/nginx.conf", WRITE],
  ["cp --backup=numbered deploy/nginx/nginx.conf /etc/nginx/nginx.conf", WRITE],
  ["mv -S .old -b deploy/nginx/nginx.conf /etc/nginx/nginx.conf", WRITE],
  ["install -b deploy/nginx/nginx.conf /etc/nginx/nginx.conf", WRITE],
  ["ln -sfb /var/backups/nginx/nginx.conf /etc/nginx/nginx.conf", WRITE],
  ["rsync -b --backup-dir=/etc/cron.d deploy/nginx/nginx.conf /etc/nginx/nginx.conf", WRITE],
  ["rsync --daemon", UNVERIFIABLE],
];

test("steps that run code through bash's evaluation of literal text, or through an option, each deny with their code", () => {
  const { code, perStep } = check(DENIED.map(([command]) => command));
  assert.is(code, 1);
  DENIED.forEach(([command, expected], i) => assert.ok(perStep[i]!.includes(expected), `${command}: expected ${expected}, got [${perStep[i]!.join(", ")}]`));
});

test("their read-only siblings stay clean", () => {
  const clean = [
    "echo ${x:-a} ${#x} ${x:1:2} ${!prefix*} ${!a[@]} ${a[@]: -1} ${x@Q} ${x,,}",
    "read -r line < /etc/hostname",
    "printf -v out '%s' x",
    "test -f /etc/nginx/nginx.conf",
    "test -v HOME",
    "declare -a arr=(1 2); b=([0]=1 [1]=2)",
    "declare -r x=1; export FOO=bar",
    "wait -p pid",
    "set -euo pipefail; set -- a b; set +k",
    "builtin export LANG=C; ! export LC_ALL=C",
    "sort -u /etc/nginx/nginx.conf",
    "curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1/healthz",
    "git -c color.ui=always log --oneline -5",
    "git -c core.quotepath=false status",
    "git ls-remote https://example.com/repo.git",
    "nginx -t",
    "nginx -t -c /etc/nginx/nginx.conf",
    "nginx -T",
    "apachectl configtest",
    // cp -a is recursive: a copied tree may hold a key (sixteenth pass); -p keeps the attributes of one file.
    "cp -p --preserve=all deploy/nginx/nginx.conf /etc/nginx/nginx.conf",
    "cp -b deploy/nginx/nginx.conf /var/backups/nginx/nginx.conf",
    "sed -n 's/worker_connections/x/p' /etc/nginx/nginx.conf",
    "sed -n -e 1p -- /etc/nginx/nginx.conf",
    "awk -F: -v x=1 '{print $1}' /etc/nginx/nginx.conf",
  ];
  const { code, perStep } = check(clean);
  clean.forEach((command, i) => assert.equal(perStep[i], [], `${command}: [${perStep[i]!.join(", ")}]`));
  assert.is(code, 0);
});

test("an output replaced by a sparse terabyte denies at once by its size, unhashed", () => {
  const { root, dir } = promotionCopy();
  try {
    truncateSync(join(dir, "outputs", "metrics.csv"), 2 ** 40);
    const r = gatehouse(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json"], dir, { timeoutMs: 20_000 });
    assert.is(r.timedOut, false, "promote verify hashed the terabyte");
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.equal(codesOf(r.stdout), ["promotion/size-mismatch"]);
    assert.match(r.stdout, /run\.receipt\.json#\/outputs\/1\/bytes \[promotion\/size-mismatch\] output outputs\/metrics\.csv: 1099511627776 bytes on disk, the receipt declares 204/);
    // The same through the gate's receipts collector.
    writeFileSync(join(dir, "gatehouse.config.yaml"), "version: 1\ncollectors:\n  receipts: {}\npromotion:\n  registry: watcher-registry.json\n");
    const gate = gatehouse(["gate", "--root", dir], dir, { timeoutMs: 20_000 });
    assert.is(gate.timedOut, false, "gate hashed the terabyte");
    assert.is(gate.code, 1, gate.stdout + gate.stderr);
    assert.ok(codesOf(gate.stdout).includes("promotion/size-mismatch"), gate.stdout);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("check-summary does not hash a subject replaced by a sparse terabyte to the end", () => {
  const { root, dir } = promotionCopy();
  try {
    assert.is(gatehouse(["keys", "generate", "ci"], dir).code, 0);
    const verify = gatehouse(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--summary-out", "out/summary.json", "--sign-key", "ci.key"], dir);
    assert.is(verify.code, 0, verify.stdout + verify.stderr);
    assert.is(gatehouse(["promote", "check-summary", "out/summary.json", "--key", "ci.pub"], dir).code, 0);
    truncateSync(join(dir, "outputs", "metrics.csv"), 2 ** 40);
    const r = gatehouse(["promote", "check-summary", "out/summary.json", "--key", "ci.pub"], dir, { timeoutMs: 20_000 });
    assert.is(r.timedOut, false, "check-summary hashed the terabyte");
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.equal(codesOf(r.stdout), ["summary/subject-mismatch"]);
    assert.match(r.stdout, /\[summary\/subject-mismatch\] \.\.\/outputs\/metrics\.csv: 1099511627776 bytes, the attested receipt declares 204/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("receipt create does not declare the temp file an interrupted write of the same receipt left", () => {
  const { root, dir } = promotionCopy();
  try {
    const stale = join(dir, "outputs", "run.receipt.json.tmp-999999999");
    writeFileSync(stale, '{"half": ');
    const r = gatehouse(["promote", "receipt", "create", "outputs", "--manifest", "run.manifest.json", "--out", "outputs/run.receipt.json", "--provider", "https://ci.example.com/runners/ml-train", "--licence", "MIT", "--source", "git+https://git.example.com/ml/churn.git", "--attribution", "ML team"], dir);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /wrote outputs\/run\.receipt\.json: 4 outputs/);
    assert.not.match(readFileSync(join(dir, "outputs", "run.receipt.json"), "utf8"), /tmp-999999999/);
    assert.is(existsSync(stale), false, "the stale temp file is cleaned");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
