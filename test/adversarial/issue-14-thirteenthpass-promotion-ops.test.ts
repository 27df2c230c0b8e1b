// Issue 14, thirteenth pass, promotion & ops.
// Ops scope: NOT_ALLOWED was matched against the text of each written path, so a write that
// reaches a forbidden path without naming it went through: `rm -rf deploy/nginx/tls` (the glob
// `deploy/nginx/tls/**` does not match its own directory), `rm -rf deploy/nginx/*`, `find
// deploy/nginx -delete`, `tar -C deploy/nginx`, `git -C deploy/nginx checkout .`, `chmod -R`, a
// copy into a directory (`cp new.key deploy/nginx/conf.d` writes conf.d/new.key, which `**/*.key`
// forbids). A written path is now read as the set of paths it may touch (a shell pattern, DIR/**
// for a tree) and denies when that set meets a forbidden glob; recursive rm/chmod/chown and
// copies, moves and links into a directory also report what they reach below it. `mv -t DIR`
// (`--target-directory=DIR`, `-tDIR`) wrote nothing at DIR; `sed -i.bak` / `-i'DIR/*'` wrote a
// backup that was no fact.
// Outputs: a report, summary or registry path whose directory inside the working directory is a
// committed link (`reports -> /elsewhere`) was written through it, replacing a file of that name
// outside the repository (a link at the path itself was refused, a linked directory was not).

import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gatehouse, opsCheckSteps, promotionCopy, repo, withRepo } from "./harness.js";


const WRITE = "ops/write-out-of-scope";

/** Runs `ops check` on one log holding every command as a verified step; the codes (and messages) per step. */
const check = (commands: string[]) => opsCheckSteps("thirteenthpass-ops", commands);

// The example declaration allows deploy/nginx/**, /etc/nginx/nginx.conf and /var/backups/nginx/**,
// and forbids deploy/nginx/tls/**, /etc/nginx/tls/**, **/*.key and **/.env.
const REACHING: [string, RegExp][] = [
  ["rm -rf deploy/nginx/tls", /writes deploy\/nginx\/tls, which NOT_ALLOWED forbids/],
  ["rmdir deploy/nginx/tls", /writes deploy\/nginx\/tls, which NOT_ALLOWED forbids/],
  ["rm -rf deploy/nginx/*", /writes deploy\/nginx\/\*, which NOT_ALLOWED forbids/],
  ["chmod -R 777 deploy/nginx/tls", /which NOT_ALLOWED forbids/],
  ["chown -R nobody deploy/nginx/conf.d", /writes deploy\/nginx\/conf\.d\/\*\*, which NOT_ALLOWED forbids/],
  ["rm -r deploy/nginx/conf.d", /writes deploy\/nginx\/conf\.d\/\*\*, which NOT_ALLOWED forbids/],
  ["find deploy/nginx -delete", /writes deploy\/nginx\/\*\*, which NOT_ALLOWED forbids/],
  ["tar -xf /tmp/site.tar -C deploy/nginx", /writes deploy\/nginx\/\*\*, which NOT_ALLOWED forbids/],
  ["git -C deploy/nginx checkout .", /writes deploy\/nginx\/\*\*, which NOT_ALLOWED forbids/],
  ["cp /var/backups/nginx/site.conf deploy/nginx/tls", /writes deploy\/nginx\/tls, which NOT_ALLOWED forbids/],
  ["cp /var/backups/nginx/new.key deploy/nginx/conf.d", /writes deploy\/nginx\/conf\.d\/new\.key, which NOT_ALLOWED forbids/],
  ["cp -r /var/backups/nginx/site.key deploy/nginx/conf.d", /writes deploy\/nginx\/conf\.d\/site\.key, which NOT_ALLOWED forbids/],
  ["mv /var/backups/nginx/new.key deploy/nginx/conf.d/", /writes deploy\/nginx\/conf\.d\/new\.key, which NOT_ALLOWED forbids/],
  ["ln -s /var/backups/nginx/site.key deploy/nginx/conf.d", /writes deploy\/nginx\/conf\.d\/site\.key, which NOT_ALLOWED forbids/],
  ["rsync -a /var/backups/nginx/ deploy/nginx/", /writes deploy\/nginx\/\*\*, which NOT_ALLOWED forbids/],
  // mv into a directory named by -t: the destination was no write at all
  ["mv --target-directory=/etc deploy/nginx/nginx.conf", /writes \/etc, outside ALLOWED_PATHS/],
  ["mv -t/etc deploy/nginx/nginx.conf", /writes \/etc, outside ALLOWED_PATHS/],
  // sed -i's backup is a file sed writes
  ["sed -i.bak 's/1024/4096/' /etc/nginx/nginx.conf", /writes \/etc\/nginx\/nginx\.conf\.bak, outside ALLOWED_PATHS/],
  ["sed --in-place=.orig 's/1024/4096/' /etc/nginx/nginx.conf", /writes \/etc\/nginx\/nginx\.conf\.orig, outside ALLOWED_PATHS/],
  ["sed -i'/etc/cron.d/*' 's/1024/4096/' deploy/nginx/nginx.conf", /writes \/etc\/cron\.d\/nginx\.conf, outside ALLOWED_PATHS/],
];

test("writes that reach a NOT_ALLOWED path without naming it, and writes that were no fact, deny", () => {
  const { code, perStep, messages } = check(REACHING.map(([command]) => command));
  assert.is(code, 1);
  REACHING.forEach(([command, message], i) => {
    assert.equal(perStep[i], [WRITE], `${command}: [${perStep[i]!.join(", ")}]`);
    assert.ok(messages[i]!.some((m) => message.test(m)), `${command}: ${JSON.stringify(messages[i])}`);
  });
});

test("writes inside ALLOWED_PATHS that reach nothing forbidden stay clean", () => {
  const clean = [
    "sed -i 's/1024/4096/' /etc/nginx/nginx.conf",
    "cp deploy/nginx/nginx.conf /etc/nginx/nginx.conf",
    "cp -p /etc/nginx/nginx.conf /var/backups/nginx/nginx.conf.2026-11-21",
    "touch deploy/nginx/conf.d/site.conf",
    "rm -f deploy/nginx/conf.d/old.conf deploy/nginx/*.conf",
    "mv deploy/nginx/conf.d/a.conf deploy/nginx/conf.d/b.conf",
    "rm -f /var/backups/nginx/nginx.conf.2026-10-01",
    "cp -T deploy/nginx/nginx.conf /etc/nginx/nginx.conf",
    // cp -a is recursive: a copied tree may hold a key (sixteenth pass); -p keeps the attributes of one file.
    "cp -p --preserve=all deploy/nginx/nginx.conf /etc/nginx/nginx.conf",
    "cp -b deploy/nginx/nginx.conf /var/backups/nginx/nginx.conf",
    "sed -i.bak 's/1024/4096/' deploy/nginx/nginx.conf",
  ];
  const { code, perStep } = check(clean);
  clean.forEach((command, i) => assert.equal(perStep[i], [], `${command}: [${perStep[i]!.join(", ")}]`));
  assert.is(code, 0);
});

test("an output whose directory in the working directory is a link is refused (exit 2, named) and nothing is written through it", () => {
  const elsewhere = repo("thirteenthpass-elsewhere", { "r.json": "keep\n", "summary.json": "keep\n" });
  try {
    withRepo("thirteenthpass-linked-out", { "p/deny.rego": 'package main\ndeny contains "no" if { input.a == 1 }\n', "in.json": '{"a": 2}\n' }, (dir) => {
      symlinkSync(elsewhere, join(dir, "reports"));
      mkdirSync(join(elsewhere, "sub"));
      symlinkSync(join(elsewhere, "sub"), join(dir, "up"));
      for (const target of ["reports/r.json", "reports/new/r.json", join(dir, "reports", "r.json"), "up/../r.json"]) {
        const r = gatehouse(["check", "--policy", "p", "in.json", "--format", `json=${target}`], dir);
        assert.is(r.code, 2, `${target}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /its directory (reports|up) is a symbolic link; gatehouse does not write through a link inside the working directory/);
      }
      // The same file named by its real path (outside the working directory) is written.
      const real = gatehouse(["check", "--policy", "p", "in.json", "--format", `json=${join(elsewhere, "r.json")}`], dir);
      assert.is(real.code, 0, real.stdout + real.stderr);
      assert.match(readFileSync(join(elsewhere, "r.json"), "utf8"), /"verdict": "allow"/);
    });
    assert.equal(readdirSync(elsewhere).sort(), ["r.json", "sub", "summary.json"]);
    // promote verify --summary-out through a linked directory: refused, the file there kept.
    const { root, dir } = promotionCopy();
    try {
      mkdirSync(join(dir, "keys"));
      const keys = gatehouse(["keys", "generate", "keys/ci"], dir);
      assert.is(keys.code, 0, keys.stdout + keys.stderr);
      symlinkSync(elsewhere, join(dir, "attest"));
      const r = gatehouse(["promote", "verify", "run.receipt.json", "--registry", "watcher-registry.json", "--summary-out", "attest/summary.json", "--sign-key", "keys/ci.key"], dir, { timeoutMs: 60_000 });
      assert.is(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /attest\/summary\.json.*its directory attest is a symbolic link/);
      assert.is(readFileSync(join(elsewhere, "summary.json"), "utf8"), "keep\n");
      assert.equal(readdirSync(elsewhere).sort(), ["r.json", "sub", "summary.json"]);
      // keys generate: the private key is not written through a linked directory either.
      symlinkSync(elsewhere, join(dir, "keylink"));
      const linkedKeys = gatehouse(["keys", "generate", "keylink/ci"], dir);
      assert.is(linkedKeys.code, 2, linkedKeys.stdout + linkedKeys.stderr);
      assert.match(linkedKeys.stderr, /its directory keylink is a symbolic link/);
      assert.equal(readdirSync(elsewhere).sort(), ["r.json", "sub", "summary.json"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test.run();
