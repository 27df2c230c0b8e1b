// Issue 14, sixteenth pass, promotion & operations.
// Ops write scope: what a copy or mkdir writes was only the path it names, so a write below it
// that NOT_ALLOWED forbids went through.
//  - A recursive copy (`cp -r`/`-R`/`-a`, with or without `-T`, `rsync -a`/`-r`/`-d`, `scp -r`)
//    writes the whole tree it copies, whose content the log does not show: DEST/NAME was judged
//    (a name), never DEST/** (a tree that may hold a key or reach deploy/nginx/tls).
//  - `cp --parents SRC DEST` and `rsync -R` write SRC's path below DEST (`../tls/x` from
//    deploy/nginx/conf.d lands in deploy/nginx/tls); only DEST/NAME was judged.
//  - `mkdir -p a/b/c` and `install -D`/`-d` create every missing parent (`mkdir -p
//    deploy/nginx/tls/../conf.d/new` makes tls), `rmdir -p` removes each parent it empties:
//    only the named path was a fact.
//  - `cp -rl`/`cp -rs` link the whole source tree (a later write through a link writes the
//    source), `rsync --link-dest=DIR` hard-links DIR's files: only the source's name was written.
// Login shells: `sudo -i CMD`, `sudo --login`, `su - -c`, `su -l`, `runuser -l` run CMD in the
// user's home, and find -execdir in each found file's directory, so a relative path there is not
// the path it names: it was judged as if in the step's directory. Now unverifiable.
// Tilde expansion: `~`, `~/x`, `~root/x`, `~-` ($OLDPWD) and bash's `of=~/x` were literal text, so
// after `cd deploy/nginx`, `tee ~/.bashrc` was judged as deploy/nginx/~/.bashrc (allowed) while it
// writes the home directory. A word the shell tilde-expands is now computed.
// A cd the rest does not depend on: `cd DIR; cmd` (cd may fail, cmd runs where it was), `false &&
// cd DIR; cmd`, `A || cd DIR && cmd`, a cd in a function never called, in an `if` condition, or
// after `!`, placed every later relative path in DIR: `false && cd /var/backups/nginx; rm -rf
// deploy/nginx/tls` was judged as /var/backups/nginx/deploy/nginx/tls (allowed). Only a cd that
// the rest of its `&&` chain depends on places paths now, and only in that chain.
// Device nodes: /dev/null, /dev/tty and /dev/std* were no write fact however they were named, so
// `rm -f /dev/null`, `mv x /dev/null`, `ln -sf`, `chmod`, `install`, `rsync` and `sed -i` on them
// (as root: the node removed or replaced by a regular file for the whole machine) raised nothing.
// Writing into them stays harmless; changing the node itself is unverifiable.
// Outputs: two outputs that are different paths leading to one file (a linked directory outside
// the working directory, `..` through a link) were both written, the second replacing the first:
// outputs are compared by the path the kernel resolves.

import { mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gatehouse, opsCheckSteps, repo, withRepo } from "./harness.js";

const WRITE = "ops/write-out-of-scope";
const UNVERIFIABLE = "ops/unverifiable-command";

/** Runs `ops check` on one log holding every command as a verified step; the codes (and messages) per step. */
const check = (commands: string[]) => opsCheckSteps("sixteenthpass-ops", commands);

// The example declaration allows deploy/nginx/**, /etc/nginx/nginx.conf and /var/backups/nginx/**,
// and forbids deploy/nginx/tls/**, /etc/nginx/tls/**, **/*.key and **/.env.
const TREES: [string, RegExp][] = [
  ["cp -r /var/backups/nginx/site deploy/nginx", /writes deploy\/nginx\/\*\*, which NOT_ALLOWED forbids/],
  ["cp -a /var/backups/nginx/conf deploy/nginx/conf.d", /writes deploy\/nginx\/conf\.d\/\*\*, which NOT_ALLOWED forbids/],
  ["cp -rT /var/backups/nginx/site deploy/nginx", /writes deploy\/nginx\/\*\*, which NOT_ALLOWED forbids/],
  ["cp -T -R /var/backups/nginx/site deploy/nginx", /writes deploy\/nginx\/\*\*, which NOT_ALLOWED forbids/],
  ["cp --archive /var/backups/nginx/ deploy/nginx/conf.d", /writes deploy\/nginx\/conf\.d\/\*\*, which NOT_ALLOWED forbids/],
  ["cp -a /etc/nginx/nginx.conf /var/backups/nginx/nginx.conf.2026-11-21", /writes \/var\/backups\/nginx\/nginx\.conf\.2026-11-21\/\*\*, which NOT_ALLOWED forbids/],
  ["rsync -a /var/backups/nginx/site deploy/nginx", /writes deploy\/nginx\/\*\*, which NOT_ALLOWED forbids/],
  ["rsync -rv /var/backups/nginx/site deploy/nginx", /writes deploy\/nginx\/\*\*, which NOT_ALLOWED forbids/],
  ["scp -r backup-1:/srv/nginx deploy/nginx/conf.d", /writes deploy\/nginx\/conf\.d\/\*\*, which NOT_ALLOWED forbids/],
  ["cp --parents tls/site.crt deploy/nginx", /writes deploy\/nginx\/tls\/site\.crt, which NOT_ALLOWED forbids/],
  ["cp --parents ../tls/site.crt deploy/nginx/conf.d", /writes deploy\/nginx\/tls, which NOT_ALLOWED forbids/],
  ["rsync -R /srv/./tls/site.crt deploy/nginx", /writes deploy\/nginx\/tls\/site\.crt, which NOT_ALLOWED forbids/],
  ["rsync --relative tls/site.crt deploy/nginx/", /writes deploy\/nginx\/tls\/site\.crt, which NOT_ALLOWED forbids/],
  ["mkdir -p deploy/nginx/tls/../conf.d/new", /writes deploy\/nginx\/tls, which NOT_ALLOWED forbids/],
  ["mkdir --parents -m 755 deploy/nginx/tls/../conf.d/new", /writes deploy\/nginx\/tls, which NOT_ALLOWED forbids/],
  ["install -D /var/backups/nginx/site.conf deploy/nginx/tls/../conf.d/site.conf", /writes deploy\/nginx\/tls, which NOT_ALLOWED forbids/],
  ["install -d deploy/nginx/tls/../conf.d/new", /writes deploy\/nginx\/tls, which NOT_ALLOWED forbids/],
  ["rmdir -p deploy/nginx/conf.d/old", /writes deploy, outside ALLOWED_PATHS/],
  ["cp -rl /var/backups/nginx/site deploy/nginx/conf.d/site", /writes \/var\/backups\/nginx\/site\/\*\*|writes deploy\/nginx\/conf\.d\/site\/\*\*, which NOT_ALLOWED forbids/],
  ["cp -rs /etc/nginx/tls deploy/nginx/conf.d/tls", /writes \/etc\/nginx\/tls\/\*\*, which NOT_ALLOWED forbids/],
  ["rsync -a --link-dest=/etc/nginx/tls /var/backups/nginx/tls/ deploy/nginx/conf.d/", /writes \/etc\/nginx\/tls\/\*\*, which NOT_ALLOWED forbids/],
];

test("a recursive copy, --parents / -R, mkdir -p, install -D, rmdir -p and linked copies write what they reach below the path they name", () => {
  const { code, perStep, messages } = check(TREES.map(([command]) => command));
  assert.is(code, 1);
  TREES.forEach(([command, message], i) => {
    assert.equal(perStep[i], [WRITE], `${command}: [${perStep[i]!.join(", ")}]`);
    assert.ok(messages[i]!.some((m) => message.test(m)), `${command}: ${JSON.stringify(messages[i])}`);
  });
});

test("copies and directories that reach nothing forbidden stay clean", () => {
  const clean = [
    "cp -p deploy/nginx/nginx.conf /etc/nginx/nginx.conf",
    "cp --preserve=all /etc/nginx/nginx.conf /var/backups/nginx/nginx.conf.2026-11-21",
    "mkdir -p /var/backups/nginx/2026/11",
    "mkdir -p deploy/nginx/conf.d/new",
    "install -D -m 644 /var/backups/nginx/site.conf deploy/nginx/conf.d/site.conf",
    "cp --parents conf.d/site.conf /var/backups/nginx/2026",
    "rmdir deploy/nginx/conf.d/old",
    "sudo -u root rm -f deploy/nginx/conf.d/old.conf",
    "sudo -i rm -f /var/backups/nginx/nginx.conf.2026-10-01",
    "su - -c 'cd /etc/nginx && sed -i s/1024/4096/ nginx.conf'",
    "find /etc/nginx -name '*.conf' -execdir grep -l worker_connections {} +",
  ];
  const { code, perStep } = check(clean);
  clean.forEach((command, i) => assert.equal(perStep[i], [], `${command}: [${perStep[i]!.join(", ")}]`));
  assert.is(code, 0);
});

const ELSEWHERE = /relative to a working directory the log does not show \(after a computed or isolated cd, a cd that may not have run or succeeded: join it with && to what runs there, in a login shell such as sudo -i or su -, or under find -execdir\)/;

test("a relative path run by a login shell (sudo -i, su -, runuser -l) or find -execdir is unverifiable", () => {
  const commands = [
    "sudo -i rm -f deploy/nginx/conf.d/old.conf",
    "sudo --login -u root tee deploy/nginx/nginx.conf",
    "su - -c 'rm -f deploy/nginx/conf.d/old.conf'",
    "su -l root -c 'cp /var/backups/nginx/site.conf deploy/nginx/conf.d/site.conf'",
    "su --login -c 'sed -i s/1024/4096/ deploy/nginx/nginx.conf'",
    "runuser -l root -c 'rm -f deploy/nginx/conf.d/old.conf'",
    "find /etc/nginx -name nginx.conf -execdir tee deploy/nginx/nginx.conf ;",
    "find /var/backups/nginx -name '*.conf' -okdir cp {} deploy/nginx/conf.d/ ;",
  ];
  const { code, perStep, messages } = check(commands);
  assert.is(code, 1);
  commands.forEach((command, i) => {
    assert.ok(perStep[i]!.includes(UNVERIFIABLE), `${command}: [${perStep[i]!.join(", ")}]`);
    assert.ok(messages[i]!.some((m) => ELSEWHERE.test(m)), `${command}: ${JSON.stringify(messages[i])}`);
  });
});

test("a path the shell tilde-expands (~, ~user, ~-, of=~/x) is computed, not a file below the working directory", () => {
  const commands = [
    "cd deploy/nginx && tee ~/.bashrc",
    "cd deploy/nginx && cp nginx.conf ~root/nginx.conf",
    "cd /etc/nginx && cd deploy/nginx && sed -i s/1024/4096/ ~-/nginx.conf",
    "cd deploy/nginx && dd if=/dev/zero of=~/.ssh/authorized_keys",
    "cd deploy/nginx && rm -rf ~\"/.config\"",
  ];
  const { code, perStep, messages } = check(commands);
  assert.is(code, 1);
  commands.forEach((command, i) => {
    assert.equal(perStep[i], [UNVERIFIABLE], `${command}: [${perStep[i]!.join(", ")}]`);
    assert.ok(messages[i]!.some((m) => /a computed (path|operand) [^ ]*~/.test(m)), `${command}: ${JSON.stringify(messages[i])}`);
  });
  // Quoted or escaped, ~ is a file name.
  const quoted = check(["tee deploy/nginx/'~'/x", "tee deploy/nginx/a~b"]);
  assert.equal(quoted.perStep, [[], []]);
});

test("a cd that may not run or may fail places no later relative path; one joined with && does, within its chain", () => {
  const commands = [
    "cd /var/backups/nginx; rm -rf deploy/nginx/tls",
    "cd /var/backups/nginx || true; rm -rf deploy/nginx/tls",
    "false && cd /var/backups/nginx; rm -rf deploy/nginx/tls",
    "false || cd /var/backups/nginx && rm -rf deploy/nginx/tls",
    "f() { cd /var/backups/nginx; }; rm -rf deploy/nginx/tls",
    "if cd /var/backups/nginx; then :; fi; rm -rf deploy/nginx/tls",
    "! cd /var/backups/nginx && rm -rf deploy/nginx/tls",
    "cd /var/backups/nginx && rm -f old.conf; rm -rf deploy/nginx/tls",
    "cd /var/backups/nginx && rm -f old.conf || rm -rf deploy/nginx/tls",
  ];
  const { code, perStep, messages } = check(commands);
  assert.is(code, 1);
  commands.forEach((command, i) => {
    assert.ok(perStep[i]!.includes(UNVERIFIABLE), `${command}: [${perStep[i]!.join(", ")}]`);
    assert.ok(messages[i]!.some((m) => /writes deploy\/nginx\/tls relative to a working directory the log does not show/.test(m)), `${command}: ${JSON.stringify(messages[i])}`);
  });
  const placed = check(["cd /var/backups/nginx && rm -f nginx.conf.2026-10-01", "cd /etc/nginx 2>/dev/null && sed -i s/1024/4096/ nginx.conf && nginx -t", "cd /var/backups && cd nginx && rm -f old.conf"]);
  assert.equal(placed.perStep, [[], [], []]);
  assert.is(placed.code, 0);
});

test("removing, replacing or re-permissioning /dev/null or a terminal is unverifiable; writing into it is not", () => {
  const commands = [
    "rm -f /dev/null",
    "cd /dev && rm -f null",
    "mv /var/backups/nginx/nginx.conf.2026-10-01 /dev/null",
    "ln -sf /var/backups/nginx/x /dev/null",
    "chmod 600 /dev/tty",
    "install -m 644 deploy/nginx/nginx.conf /dev/null",
    "rsync deploy/nginx/nginx.conf /dev/null",
    "sed -i s/1024/4096/ /dev/null",
    "cp --remove-destination deploy/nginx/nginx.conf /dev/stdout",
  ];
  const { code, perStep, messages } = check(commands);
  assert.is(code, 1);
  commands.forEach((command, i) => {
    assert.ok(perStep[i]!.includes(UNVERIFIABLE), `${command}: [${perStep[i]!.join(", ")}]`);
    assert.ok(messages[i]!.some((m) => /changes the device node \/dev\/(null|tty|stdout) itself/.test(m)), `${command}: ${JSON.stringify(messages[i])}`);
  });
  const into = check(["nginx -t > /dev/null 2>&1", "cp deploy/nginx/nginx.conf /dev/null", "curl -sS -o /dev/null http://127.0.0.1/healthz", "sed -n 1p /etc/nginx/nginx.conf | tee /dev/stderr"]);
  assert.equal(into.perStep, [[], [], [], []]);
});

test("two outputs that lead to one file through a link or .. are refused (exit 2, named) and neither is written", () => {
  const elsewhere = repo("sixteenthpass-elsewhere");
  try {
    mkdirSync(join(elsewhere, "real", "sub"), { recursive: true });
    symlinkSync(join(elsewhere, "real"), join(elsewhere, "link"));
    symlinkSync(join(elsewhere, "real", "sub"), join(elsewhere, "up"));
    withRepo("sixteenthpass-shared-out", { "p/deny.rego": 'package main\ndeny contains "no" if { input.a == 1 }\n', "in.json": '{"a": 2}\n' }, (dir) => {
      const pairs: [string, string][] = [
        [join(elsewhere, "link", "r.json"), join(elsewhere, "real", "r.json")],
        [`${elsewhere}/up/../r.json`, join(elsewhere, "real", "r.json")],
        [`${elsewhere}/link/sub/../new/r.json`, join(elsewhere, "real", "new", "r.json")],
      ];
      for (const [a, b] of pairs) {
        const r = gatehouse(["check", "--policy", "p", "in.json", "--format", `json=${a}`, "--format", `sarif=${b}`], dir);
        assert.is(r.code, 2, `${a} / ${b}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /--format sarif=FILE and --format json=FILE name the same file; one would replace the other/);
      }
      assert.throws(() => readFileSync(join(elsewhere, "real", "r.json")));
      // Different files through the same link are written.
      const ok = gatehouse(["check", "--policy", "p", "in.json", "--format", `json=${join(elsewhere, "link", "a.json")}`, "--format", `sarif=${join(elsewhere, "real", "b.sarif")}`], dir);
      assert.is(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(readFileSync(join(elsewhere, "real", "a.json"), "utf8"), /"verdict": "allow"/);
    });
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test.run();
