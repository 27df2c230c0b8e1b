// What a shell command in an execution log does, for the ops-execution policies. Heuristics, not
// a shell: the command is split on `;`, `&&`, `||`, `|` and newlines (outside quotes), each part
// is tokenised (single/double quotes, backslash escapes), wrappers are stripped (sudo, env,
// VAR=value, nohup, timeout N, nice, doas), and then:
//   writes      redirection targets (> >> &> 2> N>), tee targets, cp/mv/install/rsync
//               destinations (and mv sources), rm/rmdir/mkdir/touch/truncate/ln/unlink/shred
//               operands, chmod/chown/chgrp files (after the mode/owner), sed -i/perl -i files,
//               dd of=
//   services    systemctl start/stop/restart/reload/kill/enable/disable/mask/... UNIT,
//               service UNIT start/stop/restart/reload, pkill/killall NAME, kill PID (unit unknown:
//               "pid:N", which matches no allowed service)
//   streams     kafka producers (--topic), kcat/kafkacat -P -t, redis-cli PUBLISH/XADD/LPUSH/RPUSH,
//               rabbitmqadmin publish routing_key=/exchange=, nats pub, aws sqs send-message
//               --queue-url, gcloud pubsub topics publish
//   categories  firewall (iptables, ip6tables, nft, ufw, firewall-cmd), network (ip addr/link/route
//               changes, ifconfig with arguments, route add/del, nmcli ... up/down/modify,
//               netplan apply), user-permissions (useradd/usermod/userdel/group*, passwd,
//               chpasswd, gpasswd, visudo, setfacl, writes under /etc/sudoers*)
// A command is mutating when any of these apply, or when it is not on the read-only list below:
// an unknown command is treated as mutating (it must be verified), because when uncertain, halt.

export interface CommandFacts {
  mutating: boolean;
  writes: string[];
  services: { verb: string; unit: string }[];
  streams: string[];
  categories: ("firewall" | "network" | "user-permissions")[];
}

const READ_ONLY = new Set([
  "cat", "ls", "ll", "grep", "egrep", "fgrep", "head", "tail", "less", "more", "stat", "df", "du", "ps", "top", "ss", "netstat",
  "echo", "printf", "test", "[", "true", "false", "date", "whoami", "id", "uname", "hostname", "uptime", "free", "journalctl",
  "diff", "cmp", "sha256sum", "sha1sum", "md5sum", "wc", "sort", "uniq", "cut", "awk", "jq", "yq", "dig", "nslookup", "host",
  "ping", "traceroute", "openssl", "file", "which", "type", "pwd", "env", "printenv", "lsof", "readlink", "realpath", "basename",
  "dirname", "tr", "column", "sleep", "wait", "nginx", "apachectl", "pg_isready", "getent", "getfacl", "lsblk", "mount",
]);

const SYSTEMCTL_MUTATING = new Set(["start", "stop", "restart", "reload", "try-restart", "reload-or-restart", "try-reload-or-restart", "condrestart", "force-reload", "kill", "enable", "disable", "reenable", "mask", "unmask", "isolate", "daemon-reload", "edit", "set-property", "revert", "preset"]);
const SERVICE_VERBS = new Set(["start", "stop", "restart", "reload", "force-reload", "try-restart", "condrestart"]);
const USER_COMMANDS = new Set(["useradd", "usermod", "userdel", "groupadd", "groupmod", "groupdel", "adduser", "deluser", "addgroup", "delgroup", "passwd", "chpasswd", "gpasswd", "visudo", "setfacl", "chage"]);
const FIREWALL_COMMANDS = new Set(["iptables", "ip6tables", "nft", "ufw", "firewall-cmd", "iptables-restore", "ip6tables-restore"]);
const HARMLESS_TARGETS = new Set(["/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"]);

interface Token {
  text: string;
  /** an unquoted operator: ; && || | or a redirection */
  op?: boolean;
}

/** Shell-ish tokeniser: words (with quotes removed) and operators. */
export function tokenize(command: string): Token[] {
  const tokens: Token[] = [];
  let word = "";
  let inWord = false;
  const flush = () => {
    if (inWord) tokens.push({ text: word });
    word = "";
    inWord = false;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      word += command.slice(i + 1, end === -1 ? command.length : end);
      inWord = true;
      i = end === -1 ? command.length : end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < command.length && command[j] !== '"'; j++) {
        if (command[j] === "\\" && j + 1 < command.length) j++;
        word += command[j];
      }
      inWord = true;
      i = j;
    } else if (c === "\\" && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      flush();
      if (c === "\n") tokens.push({ text: ";", op: true });
    } else if (c === ";" || c === "|" || c === "&") {
      const two = command.slice(i, i + 2);
      if (c === "&" && command[i + 1] === ">") {
        flush();
        const three = command.slice(i, i + 3);
        tokens.push({ text: three === "&>>" ? ">>" : ">", op: true });
        i += three === "&>>" ? 2 : 1;
      } else if (two === "&&" || two === "||") {
        flush();
        tokens.push({ text: ";", op: true });
        i++;
      } else {
        flush();
        tokens.push({ text: ";", op: true });
      }
    } else if (c === ">" || c === "<") {
      // `2>`, `1>>`: a digit word right before the arrow is the descriptor, not an argument.
      if (inWord && /^\d+$/.test(word)) {
        word = "";
        inWord = false;
      } else flush();
      let op = c;
      if (command[i + 1] === ">" && c === ">") {
        op = ">>";
        i++;
      }
      if (command[i + 1] === "&") {
        // >&2, 2>&1: duplicating a descriptor writes no file.
        i++;
        while (i + 1 < command.length && /[\d-]/.test(command[i + 1]!)) i++;
        continue;
      }
      if (command[i + 1] === "|") i++;
      tokens.push({ text: op, op: true });
    } else {
      word += c;
      inWord = true;
    }
  }
  flush();
  return tokens;
}

function stripWrappers(words: string[]): string[] {
  let w = [...words];
  for (let changed = true; changed && w.length > 0; ) {
    changed = false;
    const head = w[0]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(head)) {
      w = w.slice(1);
      changed = true;
    } else if (head === "sudo" || head === "doas") {
      w = w.slice(1);
      while (w[0]?.startsWith("-")) {
        const flag = w.shift()!;
        if (/^-[ugpCDhrt]$/.test(flag)) w.shift();
      }
      changed = true;
    } else if (head === "env" && w.length > 1) {
      w = w.slice(1);
      while (w[0] !== undefined && (w[0].startsWith("-") || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0]))) w.shift();
      changed = true;
    } else if (head === "nohup" || head === "exec" || head === "command" || head === "stdbuf") {
      w = w.slice(1);
      while (w[0]?.startsWith("-")) w.shift();
      changed = true;
    } else if (head === "timeout" || head === "nice" || head === "ionice") {
      w = w.slice(1);
      while (w[0]?.startsWith("-")) {
        const flag = w.shift()!;
        if (/^-[nsck]$/.test(flag)) w.shift();
      }
      if (head === "timeout" && w[0] !== undefined && /^\d/.test(w[0])) w.shift();
      changed = true;
    }
  }
  return w;
}

const operands = (args: string[]) => args.filter((a) => !a.startsWith("-"));

function cleanPath(path: string): string {
  return path.replace(/^\.\//, "");
}

export function analyzeCommand(command: string): CommandFacts {
  const facts: CommandFacts = { mutating: false, writes: [], services: [], streams: [], categories: [] };
  const addWrite = (path: string | undefined) => {
    if (path === undefined || path === "" || HARMLESS_TARGETS.has(path)) return;
    facts.writes.push(cleanPath(path));
  };
  const tokens = tokenize(command);
  // Split into simple commands; redirections are collected wherever they appear.
  const segments: string[][] = [[]];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.op && token.text === ";") segments.push([]);
    else if (token.op && (token.text === ">" || token.text === ">>")) addWrite(tokens[++i]?.text);
    else if (token.op && token.text === "<") i++;
    else segments[segments.length - 1]!.push(token.text);
  }
  for (const segment of segments) {
    const words = stripWrappers(segment);
    if (words.length === 0) continue;
    analyzeSimple(words, facts, addWrite);
  }
  for (const path of facts.writes) if (/^\/etc\/sudoers/.test(path)) facts.categories.push("user-permissions");
  facts.writes = [...new Set(facts.writes)];
  facts.categories = [...new Set(facts.categories)].sort();
  facts.streams = [...new Set(facts.streams)];
  if (facts.writes.length > 0 || facts.services.length > 0 || facts.streams.length > 0 || facts.categories.length > 0) facts.mutating = true;
  return facts;
}

function analyzeSimple(words: string[], facts: CommandFacts, addWrite: (path: string | undefined) => void): void {
  const name = words[0]!.replace(/^.*\//, "");
  const args = words.slice(1);
  const ops = operands(args);
  const markMutating = () => {
    facts.mutating = true;
  };
  switch (name) {
    case "tee":
      ops.forEach(addWrite);
      return;
    case "cp":
    case "install":
    case "rsync":
    case "scp": {
      const targetFlag = args.findIndex((a) => a === "-t" || a === "--target-directory");
      if (targetFlag !== -1) addWrite(args[targetFlag + 1]);
      else addWrite(ops[ops.length - 1]);
      markMutating();
      return;
    }
    case "mv":
      ops.forEach(addWrite);
      markMutating();
      return;
    case "rm":
    case "rmdir":
    case "mkdir":
    case "touch":
    case "unlink":
    case "shred":
      ops.forEach(addWrite);
      markMutating();
      return;
    case "truncate": {
      const sizeAt = args.findIndex((a) => a === "-s" || a === "--size");
      args.filter((a, i) => !a.startsWith("-") && i !== sizeAt + 1).forEach(addWrite);
      markMutating();
      return;
    }
    case "ln":
      addWrite(ops[ops.length - 1]);
      markMutating();
      return;
    case "chmod":
    case "chown":
    case "chgrp":
      ops.slice(1).forEach(addWrite);
      markMutating();
      return;
    case "sed":
    case "perl": {
      const inPlace = args.some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith("--in-place"));
      if (!inPlace) return;
      const hasScriptFlag = args.some((a) => a === "-e" || a === "--expression" || a === "-f");
      const files: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === "-e" || a === "--expression" || a === "-f") i++;
        else if (!a.startsWith("-")) files.push(a);
      }
      (hasScriptFlag ? files : files.slice(1)).forEach(addWrite);
      markMutating();
      return;
    }
    case "dd":
      for (const a of args) if (a.startsWith("of=")) addWrite(a.slice(3));
      markMutating();
      return;
    case "systemctl": {
      const verbIndex = args.findIndex((a) => !a.startsWith("-"));
      const verb = args[verbIndex];
      if (verb === undefined) return;
      if (SYSTEMCTL_MUTATING.has(verb)) {
        const units = operands(args.slice(verbIndex + 1));
        if (units.length === 0) facts.services.push({ verb, unit: "*" });
        for (const unit of units) facts.services.push({ verb, unit: unitName(unit) });
        markMutating();
      }
      return;
    }
    case "service": {
      const [unit, verb] = ops;
      if (unit !== undefined && verb !== undefined && SERVICE_VERBS.has(verb)) {
        facts.services.push({ verb, unit: unitName(unit) });
        markMutating();
      }
      return;
    }
    case "pkill":
    case "killall":
      for (const target of ops) facts.services.push({ verb: "kill", unit: unitName(target) });
      markMutating();
      return;
    case "kill":
      for (const target of ops) facts.services.push({ verb: "kill", unit: /^\d+$/.test(target) ? `pid:${target}` : target });
      if (ops.length === 0) facts.services.push({ verb: "kill", unit: "?" });
      markMutating();
      return;
    case "kafka-console-producer":
    case "kafka-console-producer.sh": {
      const at = args.indexOf("--topic");
      facts.streams.push(at !== -1 ? (args[at + 1] ?? "?") : "?");
      return;
    }
    case "kcat":
    case "kafkacat":
      if (args.includes("-P")) {
        const at = args.indexOf("-t");
        facts.streams.push(at !== -1 ? (args[at + 1] ?? "?") : "?");
      }
      return;
    case "redis-cli": {
      const at = args.findIndex((a) => /^(publish|xadd|lpush|rpush|spublish)$/i.test(a));
      if (at !== -1) facts.streams.push(args[at + 1] ?? "?");
      else if (args.some((a) => /^(set|del|flushall|flushdb|hset|expire)$/i.test(a))) markMutating();
      return;
    }
    case "rabbitmqadmin":
      if (args.includes("publish")) {
        for (const a of args) if (/^(routing_key|exchange)=/.test(a)) facts.streams.push(a.slice(a.indexOf("=") + 1));
      } else if (args.some((a) => /^(declare|delete|purge|close)$/.test(a))) markMutating();
      return;
    case "nats":
      if (args[0] === "pub" || args[0] === "publish") facts.streams.push(args[1] ?? "?");
      return;
    case "aws":
      if (args[0] === "sqs" && args[1] === "send-message") {
        const at = args.indexOf("--queue-url");
        facts.streams.push(at !== -1 ? (args[at + 1] ?? "?").replace(/^.*\//, "") : "?");
      } else if (!args.some((a) => /^(describe|list|get)-/.test(a) || a === "ls")) markMutating();
      return;
    case "gcloud":
      if (args.includes("pubsub") && args.includes("publish")) {
        const at = args.indexOf("publish");
        facts.streams.push(args[at + 1] ?? "?");
      } else if (!args.some((a) => a === "list" || a === "describe")) markMutating();
      return;
    case "ip": {
      const [object, action] = ops;
      if (object && /^(a|addr|address|l|link|r|route|rule|neigh|tunnel)$/.test(object) && action && /^(add|del|delete|set|change|replace|flush|append)$/.test(action)) {
        facts.categories.push("network");
      }
      return;
    }
    case "ifconfig":
      if (ops.length > 1) facts.categories.push("network");
      return;
    case "route":
      if (ops.some((a) => a === "add" || a === "del" || a === "delete")) facts.categories.push("network");
      return;
    case "nmcli":
      if (ops.some((a) => /^(up|down|modify|add|delete|reload|connect|disconnect)$/.test(a))) facts.categories.push("network");
      return;
    case "netplan":
      if (ops[0] === "apply" || ops[0] === "try") facts.categories.push("network");
      return;
    case "git":
      if (!["status", "diff", "log", "show", "rev-parse", "ls-files", "blame", "describe"].includes(ops[0] ?? "")) markMutating();
      return;
    case "curl": {
      const writesData = args.some((a, i) => /^(-d|--data.*|-F|--form|-T|--upload-file)$/.test(a) || ((a === "-X" || a === "--request") && !/^(GET|HEAD)$/i.test(args[i + 1] ?? "")));
      if (writesData) markMutating();
      const out = args.findIndex((a) => a === "-o" || a === "--output");
      if (out !== -1) addWrite(args[out + 1]);
      return;
    }
    case "find":
      if (args.some((a) => a === "-delete" || a === "-exec" || a === "-execdir")) markMutating();
      return;
    default:
      if (FIREWALL_COMMANDS.has(name)) {
        const listing = args.some((a) => /^(-L|--list|-S|--list-rules|list|status|show|--state|--list-all|-n)$/.test(a)) && !args.some((a) => /^(-A|-I|-D|-F|-P|-R|-N|-X|add|delete|allow|deny|reject|insert|flush|--add-.*|--remove-.*|--reload)$/.test(a));
        if (!listing) facts.categories.push("firewall");
        return;
      }
      if (USER_COMMANDS.has(name)) {
        facts.categories.push("user-permissions");
        return;
      }
      if (!READ_ONLY.has(name)) markMutating();
  }
}

function unitName(unit: string): string {
  return unit.replace(/\.service$/, "");
}
