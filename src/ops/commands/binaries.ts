// The programs gatehouse knows, by name: READ_ONLY ones change nothing whatever their arguments;
// each BINARIES entry reads its arguments into facts (see ./index.ts), runs the command it wraps,
// or says what it cannot judge. A program in neither is unverifiable. When an entry is unsure
// (an option it does not model that could write), it says so rather than guess "read-only".

import { posix } from "node:path";
import type { Handler, Invocation } from "./index.js";
import { ARITHMETIC, isLookupVariable, nameSubscriptProblem, type Word } from "./shell.js";

export const READ_ONLY = new Set([
  "cat", "ls", "ll", "grep", "egrep", "fgrep", "head", "tail", "stat", "df", "du", "ps", "top", "htop",
  "netstat", "echo", "test", "[", "[[", "true", "false", ":", "whoami", "id", "groups", "uname", "uptime", "free", "diff",
  "cmp", "sha256sum", "sha1sum", "sha512sum", "md5sum", "b2sum", "cksum", "wc", "cut", "jq", "dig", "nslookup", "host", "ping",
  "ping6", "traceroute", "tracepath", "mtr", "which", "type", "pwd", "printenv", "lsof", "readlink", "realpath", "basename",
  "dirname", "tr", "column", "sleep", "wait", "pg_isready", "getent", "getfacl", "lsblk", "lscpu", "lsmod", "lspci", "lsusb", "nproc",
  "vmstat", "iostat", "mpstat", "w", "who", "last", "pgrep", "pidof", "pstree", "namei", "lsattr", "seq", "expr", "base64",
  "od", "hexdump", "strings", "nl", "fold", "rev", "paste", "join", "comm", "tac", "zcat", "zgrep", "bzcat", "xzcat", "locale",
  "tty", "export", "exit", "return", "shift", "set", "unset", "local", "declare", "readonly",
  "kafka-console-consumer", "kafka-console-consumer.sh",
]);

const text = (word: Word | undefined): string | undefined => (word?.literal ? word.text : undefined);
const isOption = (word: Word): boolean => word.literal && word.text.startsWith("-") && word.text !== "-";

/** Non-option arguments (everything after `--`); computed words count as operands. */
function operands(args: Word[]): Word[] {
  const out: Word[] = [];
  let options = true;
  for (const arg of args) {
    if (options && arg.literal && arg.text === "--") options = false;
    else if (!options || !isOption(arg)) out.push(arg);
  }
  return out;
}

/** The value of an option given as `--long X`, `--long=X`, `-s X`, `-sX`, or in a cluster (`-qo X`, `-qoX`): the first. */
function optionValue(args: Word[], longs: string[], shorts: string[] = [], valued?: string): Word | undefined {
  return optionValues(args, longs, shorts, valued)[0];
}

/**
 * Every value of an option (it may be given more than once), as getopt reads short options:
 * letters clustered behind one dash (`curl -sSLo FILE`, `wget -qO FILE`, `cp -at DIR`) are
 * flags until one that takes a value, which takes the rest of the word or, when nothing is
 * left, the next word. `valued` lists the program's letters that take a value (default: those
 * asked for); a letter it does not list is read as a flag, so a cluster may yield a value
 * getopt would not: a fact too many denies, one too few would let a write through.
 */
function optionValues(args: Word[], longs: string[], shorts: string[] = [], valued?: string): Word[] {
  const letters = shorts.map((short) => short.slice(1));
  const takesValue = valued ?? letters.join("");
  const values: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.literal) continue;
    for (const long of longs) {
      if (arg.text === long) values.push(args[i + 1] ?? { text: "", literal: true });
      else if (arg.text.startsWith(`${long}=`)) values.push({ text: arg.text.slice(long.length + 1), literal: true });
    }
    if (!/^-[^-]/.test(arg.text)) continue;
    for (let k = 1; k < arg.text.length; k++) {
      const letter = arg.text[k]!;
      if (letters.includes(letter)) {
        const rest = arg.text.slice(k + 1);
        values.push(rest !== "" ? { text: rest, literal: true } : (args[i + 1] ?? { text: "", literal: true }));
        break;
      }
      if (takesValue.includes(letter) || !/[A-Za-z0-9]/.test(letter)) break;
    }
  }
  return values;
}

/** Whether a short option letter is given, alone or clustered (`-sSLO`), before any letter that takes a value. */
function hasShortOption(args: Word[], letter: string, valued = ""): boolean {
  return args.some((arg) => {
    if (!arg.literal || !/^-[^-]/.test(arg.text)) return false;
    for (const c of arg.text.slice(1)) {
      if (c === letter) return true;
      if (valued.includes(c) || !/[A-Za-z0-9]/.test(c)) return false;
    }
    return false;
  });
}

const has = (args: Word[], ...flags: string[]): boolean => args.some((a) => a.literal && flags.includes(a.text));
const hasShort = (args: Word[], letter: string): boolean => args.some((a) => a.literal && /^-[A-Za-z]+$/.test(a.text) && a.text.includes(letter));

/** A wrapper's own options: the words before the command it runs (those in `withValue` take the next word). */
function wrapperOptions(args: Word[], withValue: RegExp): Word[] {
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (!isOption(arg) || arg.text === "--") break;
    if (withValue.test(arg.text)) i++;
  }
  return args.slice(0, i);
}

/** Skips a wrapper's options (those in `withValue` take the next word) and runs the rest. */
function runAfterOptions(run: Invocation, withValue: RegExp, stopAt?: (word: Word, index: number) => boolean): void {
  let i = 0;
  for (; i < run.args.length; i++) {
    const arg = run.args[i]!;
    if (stopAt?.(arg, i)) break;
    if (!isOption(arg)) break;
    if (arg.text === "--") {
      i++;
      break;
    }
    if (withValue.test(arg.text)) i++;
  }
  run.facts.run(run.args.slice(i), run.source);
}

// ---- wrappers: programs that run another command ------------------------------------------

function sudo(run: Invocation): void {
  const args = run.args;
  if (has(args, "-e", "--edit")) return operands(args).forEach((file) => run.facts.write(run.name, file));
  if (has(args, "-s", "--shell", "-i", "--login") && operands(args).length === 0) return run.facts.unverifiable(run.name, "opens an interactive shell");
  if (args.length === 0 || has(args, "-l", "--list", "-v", "--validate", "-k", "-K", "-V", "--version")) return;
  // -D/--chdir and -R/--chroot run the command elsewhere: its paths are not the paths it names.
  const own = wrapperOptions(args, SUDO_VALUE_OPTIONS);
  if (optionValue(own, ["--chdir", "--chroot"], ["-D", "-R"], "ugpCDhrRtUT") !== undefined) return run.facts.unverifiable(run.name, "runs a command in another directory or root (-D/--chdir, -R/--chroot)");
  // -i/--login runs the command through the user's login shell, in the user's home.
  if (hasShortOption(own, "i", "ugpCDhrRtUT") || has(own, "--login")) return inUnknownDirectory(run, () => runAfterOptions(run, SUDO_VALUE_OPTIONS));
  runAfterOptions(run, SUDO_VALUE_OPTIONS);
}

/**
 * Runs what a wrapper runs where the working directory is not the step's: a login shell (`sudo
 * -i`, `su -`, `runuser -l`) starts in the user's home, find -execdir in each found file's
 * directory. A relative path there names a file the log cannot place, so it is unverifiable.
 */
function inUnknownDirectory(run: Invocation, body: () => void): void {
  const cwd = run.facts.cwd;
  run.facts.cwd = null;
  try {
    body();
  } finally {
    run.facts.cwd = cwd;
  }
}

const SUDO_VALUE_OPTIONS = /^(-[ugpCDhrRtUT]|--(user|group|prompt|close-from|chdir|chroot|host|role|type|other-user|command-timeout))$/;

function env(run: Invocation): void {
  const lookup = run.args.find((a) => {
    const [name, ...value] = a.text.split("=");
    return a.literal && value.length > 0 && isLookupVariable(name!, { text: value.join("="), literal: true });
  });
  if (lookup) return run.facts.unverifiable(run.name, `sets ${lookup.text.split("=")[0]}, so the program it runs may be another`);
  const split = optionValue(run.args, ["--split-string"], ["-S"]);
  if (split !== undefined) return split.literal ? run.facts.runScript(run.name, split.text) : run.facts.unverifiable(run.name, "runs a computed command string (-S)");
  let i = 0;
  for (; i < run.args.length; i++) {
    const arg = run.args[i]!;
    if (arg.literal && (arg.text === "-u" || arg.text === "--unset" || arg.text === "-C" || arg.text === "--chdir")) i++;
    else if (!(isOption(arg) || (arg.literal && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg.text)))) break;
  }
  if (optionValue(run.args, ["--chdir"], ["-C"]) !== undefined && i < run.args.length) return run.facts.unverifiable(run.name, "runs a command in another directory (-C)");
  run.facts.run(run.args.slice(i), run.source);
}

function timeout(run: Invocation): void {
  // timeout [options] DURATION COMMAND...
  let i = 0;
  for (; i < run.args.length && isOption(run.args[i]!); i++) if (/^(-s|-k|--signal|--kill-after)$/.test(run.args[i]!.text)) i++;
  run.facts.run(run.args.slice(i + 1), run.source);
}

/** strace/ltrace -o FILE writes the trace there; `-o |cmd` or `-o !cmd` pipes it to a command. */
function tracer(run: Invocation): void {
  for (const file of optionValues(wrapperOptions(run.args, /^-[eoOpPsSuEaXbI]$/), ["--output"], ["-o"], "eoOpPsSuEaXbI")) {
    if (file.literal && /^[|!]/.test(file.text)) return run.facts.unverifiable(run.name, `pipes its trace to a command (${file.text})`);
    run.facts.write(run.name, file);
  }
  runAfterOptions(run, /^-[eoOpPsSuEaXbI]$/);
}

function xargs(run: Invocation): void {
  let i = 0;
  let replace: string | undefined;
  for (; i < run.args.length; i++) {
    const arg = run.args[i]!;
    if (!isOption(arg)) break;
    if (arg.text === "-I") replace = text(run.args[++i]);
    else if (arg.text.startsWith("-I")) replace = arg.text.slice(2);
    else if (arg.text === "-i" || arg.text.startsWith("--replace")) replace = "{}";
    else if (/^-[LnPsdEa]$/.test(arg.text)) i++;
  }
  const stdin: Word = { text: "(arguments from standard input)", literal: false };
  const inner = run.args.slice(i);
  if (inner.length === 0) return; // echo
  if (replace === undefined) return run.facts.run([...inner, stdin], run.source);
  run.facts.run(inner.map((word) => (word.literal && word.text.includes(replace!) ? stdin : word)), run.source);
}

function busybox(run: Invocation): void {
  if (run.args.length === 0 || has(run.args, "--list", "--help")) return;
  run.facts.run(run.args, run.source);
}

/** `watch`, `su -c`, `flock -c`: a command string run by sh -c. */
function runString(run: Invocation, command: Word | undefined): void {
  if (command === undefined) return run.facts.unverifiable(run.name, "opens an interactive shell");
  if (!command.literal) return run.facts.unverifiable(run.name, `runs a computed command string ${command.text}`);
  run.facts.runScript(run.name, command.text);
}

function watch(run: Invocation): void {
  let i = 0;
  for (; i < run.args.length && isOption(run.args[i]!); i++) if (/^(-n|--interval|-d|-q|--equexit)$/.test(run.args[i]!.text)) i++;
  const words = run.args.slice(i);
  if (words.some((w) => !w.literal)) return run.facts.unverifiable(run.name, "runs a computed command");
  run.facts.runScript(run.name, words.map((w) => w.text).join(" "));
}

function su(run: Invocation): void {
  const command = optionValue(run.args, ["--command", "--session-command"], ["-c"], "cgGswC");
  // `su -`, `su -l`, `runuser --login`: a login shell, in the user's home.
  const login = has(run.args, "-", "--login") || hasShortOption(run.args, "l", "cgGswC");
  if (login && command !== undefined) return inUnknownDirectory(run, () => runString(run, command));
  runString(run, command);
}

function flock(run: Invocation): void {
  const command = optionValue(run.args, ["--command"], ["-c"]);
  if (command !== undefined) return runString(run, command);
  // flock [options] FILE COMMAND...
  let i = 0;
  for (; i < run.args.length && isOption(run.args[i]!); i++) if (/^(-w|--timeout|-E|--conflict-exit-code)$/.test(run.args[i]!.text)) i++;
  run.facts.run(run.args.slice(i + 1), run.source);
}

const SHELL_VALUE_OPTIONS = /^(-o|\+o|-O|\+O|--rcfile|--init-file)$/;

/** sh/bash -c 'script' is analysed as shell; a script file or standard input is not. */
/**
 * `set -k` (`-o keyword`, or a shell started with it) makes a NAME=VALUE argument anywhere in a
 * command an assignment for it: `set -k; ls PATH=/srv/tools` runs /srv/tools/ls.
 */
function keywordOption(args: Word[], i: number): boolean {
  const arg = args[i]!;
  if (!arg.literal) return false;
  if (/^-[a-zA-Z]*k/.test(arg.text)) return true;
  return /^-[a-zA-Z]*o$/.test(arg.text) && args[i + 1]?.literal === true && args[i + 1]!.text === "keyword";
}

const KEYWORD_REASON = "-k (-o keyword) makes NAME=VALUE arguments anywhere in a command assignments for it, so `ls PATH=/srv/tools` would run /srv/tools/ls";

function setBuiltin(run: Invocation): void {
  for (let i = 0; i < run.args.length; i++) {
    const arg = run.args[i]!;
    if (!arg.literal) return run.facts.unverifiable(run.name, `a computed option ${arg.text} may be -k (-o keyword), which makes NAME=VALUE arguments assignments`);
    // `set --`, `set -`, and the positional parameters after them are not options.
    if (arg.text === "--" || arg.text === "-" || !/^[-+]/.test(arg.text)) return;
    if (keywordOption(run.args, i)) return run.facts.unverifiable(run.name, KEYWORD_REASON);
  }
}

function shell(run: Invocation): void {
  for (let i = 0; i < run.args.length; i++) {
    const arg = run.args[i]!;
    if (!arg.literal) return run.facts.unverifiable(run.name, `runs with a computed argument ${arg.text}`);
    if (keywordOption(run.args, i)) return run.facts.unverifiable(run.name, KEYWORD_REASON);
    if (SHELL_VALUE_OPTIONS.test(arg.text)) {
      i++;
      continue;
    }
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg.text)) return runString(run, run.args[i + 1]);
    if (arg.text === "--version" || arg.text === "--help") return;
    if (/^[-+]/.test(arg.text) && arg.text !== "-" && arg.text !== "--") continue;
    return run.facts.unverifiable(arg.text === "-" || arg.text === "--" ? run.name : arg.text, `runs the script ${arg.text}, whose commands the log does not show`);
  }
  run.facts.unverifiable(run.name, "runs the commands it reads from standard input, which the log does not show");
}

/** Interpreters: inline code, a script or standard input cannot be judged. */
function interpreter(inline: RegExp, readOnly: RegExp = /^(--version|-V|--help|-h)$/): Handler {
  return (run) => {
    const first = run.args[0];
    if (first !== undefined && first.literal && readOnly.test(first.text) && run.args.length === 1) return;
    const code = run.args.find((a) => a.literal && inline.test(a.text));
    if (code) return run.facts.unverifiable(run.name, `runs inline code (${code.text})`);
    const script = operands(run.args)[0];
    if (script) return run.facts.unverifiable(script.literal ? script.text : run.name, `runs the script ${script.text}, whose code the log does not show`);
    run.facts.unverifiable(run.name, "runs code from standard input, which the log does not show");
  };
}

function python(run: Invocation): void {
  // python3 -m json.tool only pretty-prints.
  const module = optionValue(run.args, [], ["-m"]);
  if (module?.literal && module.text === "json.tool" && operands(run.args).filter((w) => w !== module).length <= 1) return;
  interpreter(/^-[a-zA-Z]*[cm][a-zA-Z]*$/)(run);
}

function awk(run: Invocation): void {
  // -f/-E FILE (--file, --exec), -i/-l EXTENSION (--include, --load, gawk's inplace among them),
  // also attached (`-finplace`, `--load=inplace`), and mawk's -W options (-W exec FILE).
  const fromFile = run.args.find((a) => a.literal && (/^-[fiElW]/.test(a.text) || /^--(file|include|load|exec)(=|$)/.test(a.text)));
  if (fromFile) return run.facts.unverifiable(run.name, `runs an awk program or extension from a file (${fromFile.text})`);
  if (optionValue(run.args, ["--source"], ["-e"]) !== undefined) return run.facts.unverifiable(run.name, "runs awk source given with -e");
  const valued = /^(-F|-v|--field-separator|--assign)$/;
  let program: Word | undefined;
  for (let i = 0; i < run.args.length; i++) {
    const arg = run.args[i]!;
    if (arg.literal && valued.test(arg.text)) i++;
    else if (!isOption(arg)) {
      program = arg;
      break;
    }
  }
  if (program === undefined) return;
  if (!program.literal) return run.facts.unverifiable(run.name, "runs a computed awk program");
  // Output redirection, pipes, system() and getline can write or run anything.
  if (/system\s*\(|\||>|getline|fflush|close\s*\(/.test(program.text)) return run.facts.unverifiable(run.name, "its program can write files or run commands (>, |, system, getline)");
}

function evalBuiltin(run: Invocation): void {
  if (run.args.some((w) => !w.literal)) return run.facts.unverifiable(run.name, "evaluates computed text");
  run.facts.runScript(run.name, run.args.map((w) => w.text).join(" "));
}

function source(run: Invocation): void {
  const file = run.args[0];
  run.facts.unverifiable(file?.literal ? file.text : run.name, `runs the script ${file?.text ?? "(none)"} in this shell`);
}

function find(run: Invocation): void {
  const args = run.args;
  const firstExpression = args.findIndex((a) => !a.literal || /^[-(!]/.test(a.text));
  const starts = (firstExpression === -1 ? args : args.slice(0, firstExpression)).filter((a) => !/^-[HLP]$/.test(a.text));
  const roots = starts.length > 0 ? starts : [{ text: ".", literal: true }];
  const below = (root: Word): Word => (root.literal ? { text: root.text === "." ? "**" : `${root.text.replace(/\/+$/, "")}/**`, literal: true } : root);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.literal) continue;
    if (arg.text === "-delete") for (const root of roots) run.facts.write(run.name, below(root));
    else if (/^-f(print|print0|printf|ls)$/.test(arg.text)) run.facts.write(run.name, args[i + 1]);
    else if (/^-(exec|execdir|ok|okdir)$/.test(arg.text)) {
      let end = i + 1;
      while (end < args.length && !(args[end]!.literal && (args[end]!.text === ";" || args[end]!.text === "+"))) end++;
      const inner = args.slice(i + 1, end);
      // `{}` is each file found: somewhere below a starting point.
      for (const root of roots) run.facts.run(inner.map((w) => (w.literal && w.text.includes("{}") ? below(root) : w)), run.source);
      // -execdir/-okdir run in the found file's directory: any other relative path is placed there.
      if (/dir$/.test(arg.text)) inUnknownDirectory(run, () => run.facts.run(inner.map((w) => (w.literal && w.text.includes("{}") ? { text: "/dev/null", literal: true } : w)), run.source));
      i = end;
    }
  }
}

// ---- files ---------------------------------------------------------------------------------

function writesOperands(run: Invocation): void {
  operands(run.args).forEach((file) => run.facts.write(run.name, file));
  // rm -r removes the trees it names: everything below each operand is reached.
  if (run.name === "rm" && recursive(run.args, "rR")) operands(run.args).forEach((file) => reachBelow(run, file));
  // mkdir -p creates every missing directory on the way (`mkdir -p deploy/nginx/tls/../x` makes
  // tls); rmdir -p removes each parent it empties: those are written too (a mkdir'd parent only
  // reached, as it may already exist; a removed one written, as removing it is a change).
  const parents = (run.name === "mkdir" && (hasShortOption(run.args, "p", "mZ") || has(run.args, "--parents"))) || (run.name === "rmdir" && (hasShortOption(run.args, "p") || has(run.args, "--parents")));
  if (parents) for (const file of operands(run.args)) for (const parent of ancestors(file)) (run.name === "mkdir" ? run.facts.reach : run.facts.write).call(run.facts, run.name, parent);
  run.facts.mutates();
}

/** The directories a path goes through, as written (`a/b/../c` → a, a/b, a/b/..): what `mkdir -p` may create. */
function ancestors(word: Word): string[] {
  if (!word.literal) return [];
  const parts = word.text.replace(/\/+$/, "").split("/");
  const out: string[] = [];
  for (let k = 1; k < parts.length; k++) {
    const path = parts.slice(0, k).join("/");
    if (path !== "" && parts[k - 1] !== "" && parts[k - 1] !== ".") out.push(path);
  }
  return out;
}

/** Whether -r or -R (the letters given) or --recursive is given. */
function recursive(args: Word[], letter: "r" | "R" | "rR", valued = ""): boolean {
  return [...letter].some((l) => hasShortOption(args, l, valued)) || has(args, "--recursive");
}

/** DIR/**: what a recursive operation on DIR reaches (a literal path only; a computed one is judged as its write). */
function reachBelow(run: Invocation, word: Word | undefined): void {
  if (word?.literal) run.facts.reach(run.name, `${word.text.replace(/\/+$/, "")}/**`);
}

/**
 * A destination that may be a directory (no -T): each source lands in it as DEST/NAME. What a
 * copied directory holds is not known, so only its name is judged; rsync's `SRC/` copies the
 * contents into DEST, DEST/**. Reached, not written: DEST itself is the write.
 */
function reachIntoDestination(run: Invocation, destination: Word | undefined, sources: Word[]): void {
  if (destination === undefined || !destination.literal || has(run.args, "-T", "--no-target-directory")) return;
  const dir = destination.text.replace(/\/+$/, "");
  for (const source of sources) {
    const name = posixBase(source);
    const contents = run.name === "rsync" && source.literal && source.text.endsWith("/");
    run.facts.reach(run.name, name.literal && !contents ? `${dir}/${name.text}` : `${dir}/**`);
  }
}

/** mv SOURCE... DEST, mv -t DIR SOURCE...: every source and the destination are written. */
function move(run: Invocation): void {
  const target = optionValue(run.args, ["--target-directory"], ["-t"], "tS");
  const ops = operands(run.args).filter((w) => w !== target);
  ops.forEach((file) => run.facts.write(run.name, file));
  const destination = target ?? ops[ops.length - 1];
  run.facts.write(run.name, destination);
  reachIntoDestination(run, destination, target !== undefined ? ops : ops.slice(0, -1));
  backups(run, destination, "tS", target !== undefined ? ops : ops.slice(0, -1));
  run.facts.mutates();
}

/**
 * `-b`/`--backup` (cp, mv, install, ln; rsync's --backup and --backup-dir) keeps the file it
 * replaces beside it as DEST~ (DEST.~N~ numbered, DEST+SUFFIX with -S/--suffix): a write next to
 * the destination, which the declaration may not cover.
 */
function backups(run: Invocation, destination: Word | undefined, valued: string, sources: Word[]): void {
  const args = run.args;
  if (run.name === "rsync") {
    for (const dir of optionValues(args, ["--backup-dir"])) run.facts.write(run.name, dir.literal ? `${dir.text.replace(/\/+$/, "")}/**` : dir);
  }
  const backup = hasShortOption(args, "b", valued) || args.some((a) => a.literal && /^--backup(=|$)/.test(a.text));
  if (!backup || destination === undefined) return;
  if (!destination.literal) return run.facts.write(run.name, destination);
  const suffix = optionValue(args, ["--suffix"], run.name === "rsync" ? [] : ["-S"], valued);
  if (suffix !== undefined && !suffix.literal) return run.facts.unverifiable(run.name, `a computed backup suffix ${suffix.text}`);
  const base = destination.text.replace(/\/+$/, "");
  const numbered = args.some((a) => a.literal && /^--backup=(t|numbered|nil|existing)$/.test(a.text));
  run.facts.write(run.name, `${base}${suffix?.text ?? "~"}`);
  if (numbered) run.facts.write(run.name, `${base}.~1~`);
  // A destination directory gets backups of the files replaced inside it: DIR/NAME~ for each
  // source (DIR/** when a source's name is computed).
  for (const source of sources) {
    const name = posixBase(source);
    if (!name.literal) {
      run.facts.write(run.name, `${base}/**`);
      continue;
    }
    run.facts.write(run.name, `${base}/${name.text}${suffix?.text ?? "~"}`);
    if (numbered) run.facts.write(run.name, `${base}/${name.text}.~1~`);
  }
}

function copy(run: Invocation): void {
  const args = run.args;
  // rsync -e/--rsh and --rsync-path, scp -S and ssh options that run a local command
  // (ProxyCommand, LocalCommand ...) or a config file that could: commands the log does not show.
  const shell = run.name === "rsync" ? optionValue(args, ["--rsh", "--rsync-path"], ["-e"], "eBfTM") : run.name === "scp" ? optionValue(args, [], ["-S", "-F"], "cFiJlPoSX") : undefined;
  if (shell !== undefined) return run.facts.unverifiable(run.name, `runs the command or reads the settings an option names (${shell.text})`);
  if (run.name === "scp" && optionValues(args, [], ["-o"], "cFiJlPoSX").some((o) => !o.literal || /^\s*(proxycommand|localcommand|permitlocalcommand|knownhostscommand|match|include)\b/i.test(o.text))) {
    return run.facts.unverifiable(run.name, "an ssh option runs a local command (ProxyCommand, LocalCommand ...)");
  }
  const valued = COPY_VALUED[run.name] ?? "";
  const target = optionValue(args, ["--target-directory"], ["-t"], valued);
  const ops = operands(args).filter((w) => w !== target);
  const destination = target ?? ops[ops.length - 1];
  const sources = target !== undefined ? ops : ops.slice(0, -1);
  // install -d makes every operand a directory; rsync --remove-source-files deletes the sources.
  const directories = run.name === "install" && (hasShortOption(args, "d", valued) || has(args, "--directory"));
  if (directories || (run.name === "rsync" && args.some((a) => a.literal && /^--remove-source-files$|^--remove-sent-files$/.test(a.text)))) {
    ops.forEach((file) => run.facts.write(run.name, file));
  }
  run.facts.write(run.name, destination);
  reachIntoDestination(run, destination, sources);
  if (run.name === "rsync" && has(args, "--daemon")) run.facts.unverifiable(run.name, "--daemon starts a server whose configuration the log does not show");
  backups(run, destination, valued, sources);
  // A recursive copy writes the whole tree it copies, whose content the log does not show: below
  // DEST (DEST/NAME/** into a directory, DEST/** when DEST is made or with -T or SRC/), so a
  // forbidden path or secret anywhere below DEST is reached.
  const tree = copiesTree(run, valued);
  if (tree && destination?.literal) run.facts.reach(run.name, `${destination.text.replace(/\/+$/, "")}/**`);
  // cp --parents and rsync -R write each source's path below DEST (DEST/a/b for a/b; rsync's
  // `/./` marks where it starts), making the directories on the way.
  if (destination?.literal && ((run.name === "cp" && has(args, "--parents")) || (run.name === "rsync" && (hasShortOption(args, "R", valued) || has(args, "--relative"))))) {
    for (const source of sources) sourceBelow(run, destination.text, source, tree);
  }
  // install -D (and -d) create every missing parent directory of what they write.
  if (run.name === "install" && (directories || hasShortOption(args, "D", valued))) {
    for (const made of directories ? ops : [destination]) if (made !== undefined) ancestors(made).forEach((parent) => run.facts.reach(run.name, parent));
  }
  // cp -s / -l makes links instead of copies: the sources are then written through them (with
  // -r, every file below them); rsync --link-dest=DIR hard-links the unchanged files of DIR.
  if (run.name === "cp" && (hasShortOption(args, "s", valued) || hasShortOption(args, "l", valued) || has(args, "--symbolic-link", "--link"))) {
    for (const source of sources) {
      run.facts.write(run.name, source);
      if (tree && source.literal) run.facts.write(run.name, `${source.text.replace(/\/+$/, "")}/**`);
    }
  }
  if (run.name === "rsync") for (const dir of optionValues(args, ["--link-dest"])) run.facts.write(run.name, dir.literal ? `${dir.text.replace(/\/+$/, "")}/**` : dir);
  run.facts.mutates();
}

/** Option letters that take a value, per copying program (getopt's reading of a cluster). */
const COPY_VALUED: Record<string, string> = { install: "gmoStT", cp: "StT", rsync: "eBfTM", scp: "cFiJlPoSX" };

/** Whether the copy descends into directories: cp -r/-R/-a, rsync -r/-a/-d/--files-from, scp -r. */
function copiesTree(run: Invocation, valued: string): boolean {
  const args = run.args;
  const long = (...names: string[]): boolean => args.some((a) => a.literal && names.some((n) => a.text === n || a.text.startsWith(`${n}=`)));
  if (run.name === "cp") return ["r", "R", "a"].some((l) => hasShortOption(args, l, valued)) || long("--recursive", "--archive");
  if (run.name === "rsync") return ["r", "a", "d"].some((l) => hasShortOption(args, l, valued)) || long("--recursive", "--archive", "--dirs", "--files-from");
  if (run.name === "scp") return hasShortOption(args, "r", valued);
  return false;
}

/** DEST/SOURCE (cp --parents, rsync -R): the path and each directory made on the way are written. */
function sourceBelow(run: Invocation, destination: string, source: Word, tree: boolean): void {
  const dir = destination.replace(/\/+$/, "");
  if (!source.literal) return run.facts.write(run.name, `${dir}/**`);
  let path = source.text;
  if (run.name === "rsync") {
    if (/^[a-z]+:\/\//i.test(path)) return run.facts.write(run.name, `${dir}/**`);
    path = path.replace(/^[^/:]*:/, "");
    const marker = path.lastIndexOf("/./");
    if (marker !== -1) path = path.slice(marker + 3);
  }
  path = path.replace(/^\/+/, "").replace(/\/+$/, "");
  if (path === "" || path === ".") return run.facts.write(run.name, `${dir}/**`);
  const below = { text: `${dir}/${path}`, literal: true };
  ancestors(below).filter((p) => p.length > dir.length).forEach((p) => run.facts.write(run.name, p));
  run.facts.write(run.name, below);
  if (tree) run.facts.write(run.name, `${below.text}/**`);
}

function truncate(run: Invocation): void {
  const size = optionValue(run.args, ["--size", "--reference"], ["-s", "-r"]);
  operands(run.args).filter((w) => w !== size).forEach((file) => run.facts.write(run.name, file));
  run.facts.mutates();
}

function link(run: Invocation): void {
  const target = optionValue(run.args, ["--target-directory"], ["-t"], "tS");
  const ops = operands(run.args).filter((w) => w !== target);
  const name = target ?? (ops.length === 1 ? posixBase(ops[0]!) : ops[ops.length - 1]);
  run.facts.write(run.name, name);
  if (ops.length > 1 || target !== undefined) reachIntoDestination(run, name, target !== undefined ? ops : ops.slice(0, -1));
  backups(run, name, "tS", target !== undefined || ops.length === 1 ? ops : ops.slice(0, -1));
  // A link is a handle on the file it points at: `ln -s /etc/passwd allowed/p` then
  // `echo x > allowed/p` writes /etc/passwd. So the link's target counts as written too; a
  // relative symbolic target is relative to the link's directory (the name's, or the name
  // itself when it is a directory: both are taken).
  const sources = target !== undefined || ops.length === 1 ? ops : ops.slice(0, -1);
  const symbolic = hasShort(run.args, "s") || has(run.args, "--symbolic");
  for (const source of sources) {
    if (!symbolic || !source.literal || source.text.startsWith("/") || name === undefined || !name.literal) {
      run.facts.write(run.name, source);
      continue;
    }
    for (const dir of [posix.dirname(name.text), name.text]) run.facts.write(run.name, posix.join(dir, source.text));
  }
  run.facts.mutates();
}

const posixBase = (word: Word): Word => (word.literal ? { text: word.text.replace(/\/+$/, "").replace(/^.*\//, ""), literal: true } : word);

/**
 * A mode spelled like an option (`chmod -w`, `chattr -i`): GNU chmod and chattr read it as the
 * mode, so every operand after it is a file. The letters are disjoint from each tool's options.
 */
const MODE_AS_OPTION: Record<string, RegExp> = { chmod: /^-[rwxXst]+$/, chattr: /^-[aAcCdDeFijmPsStTux]+$/ };

function chmodLike(run: Invocation): void {
  const reference = optionValue(run.args, ["--reference"]);
  const ops = operands(run.args);
  const modeAsOption = MODE_AS_OPTION[run.name];
  const modeGiven = reference !== undefined || (modeAsOption !== undefined && run.args.some((a) => a.literal && modeAsOption.test(a.text)));
  const files = modeGiven ? ops : ops.slice(1);
  files.forEach((file) => run.facts.write(run.name, file));
  // -R changes every file below each one named.
  if (recursive(run.args, "R")) files.forEach((file) => reachBelow(run, file));
  run.facts.mutates();
}

/** sed's `w FILE`, `W`, `r`/`R` and `e` commands, and the s///w and s///e flags. */
const SED_WRITES_OR_RUNS = /(^|[;\n{}]|\d|\$|\/)\s*[wWe]\b|\/[gpIiMm0-9]*[we](\s|;|$|\})/;

function sed(run: Invocation): void {
  // GNU sed's options as getopt reads them: `-ne 'SCRIPT'`, `-es/a/b/w FILE`, `-f/tmp/s.sed`,
  // `--expression=SCRIPT` and `--file=F` give the script (or take it from a file) as surely as
  // `-e SCRIPT` does; `-i[SUFFIX]` takes its suffix attached; `-l N` takes a value.
  const args = run.args;
  const scripts: Word[] = [];
  const files: Word[] = [];
  let inPlace = false;
  /** -i'SUFFIX' / --in-place=SUFFIX: the backup sed keeps of each file it edits. */
  const suffixes: Word[] = [];
  let fromFile = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.literal || !arg.text.startsWith("-") || arg.text === "-") {
      files.push(arg);
      continue;
    }
    if (arg.text === "--") {
      files.push(...args.slice(i + 1));
      break;
    }
    if (arg.text.startsWith("--")) {
      const [long, value] = arg.text.includes("=") ? [arg.text.slice(0, arg.text.indexOf("=")), arg.text.slice(arg.text.indexOf("=") + 1)] : [arg.text, undefined];
      if ("--expression".startsWith(long) && long.length > 3) scripts.push(value !== undefined ? { text: value, literal: true } : (args[++i] ?? { text: "", literal: true }));
      else if ("--file".startsWith(long) && long.length > 3) fromFile = true;
      else if ("--in-place".startsWith(long) && long.length > 3) {
        inPlace = true;
        if (value !== undefined && value !== "") suffixes.push({ text: value, literal: true });
      }
      else if ("--line-length".startsWith(long) && long.length > 3 && value === undefined) i++;
      continue;
    }
    for (let k = 1; k < arg.text.length; k++) {
      const letter = arg.text[k]!;
      const rest = arg.text.slice(k + 1);
      if (letter === "i") {
        inPlace = true;
        if (rest !== "") suffixes.push({ text: rest, literal: true });
        break;
      }
      if (letter === "e") {
        scripts.push(rest !== "" ? { text: rest, literal: true } : (args[++i] ?? { text: "", literal: true }));
        break;
      }
      if (letter === "f") {
        fromFile = true;
        break;
      }
      if (letter === "l") {
        if (rest === "") i++;
        break;
      }
    }
  }
  if (fromFile) return run.facts.unverifiable(run.name, "runs a sed script from a file");
  if (scripts.length === 0 && files.length > 0) scripts.push(files.shift()!);
  for (const script of scripts) {
    if (!script.literal) return run.facts.unverifiable(run.name, "runs a computed sed script");
    if (SED_WRITES_OR_RUNS.test(script.text)) return run.facts.unverifiable(run.name, "its script can write files or run commands (w, W, e)");
  }
  if (!inPlace) return;
  files.forEach((file) => run.facts.write(run.name, file));
  // The backup is FILE+SUFFIX, or, when the suffix holds `*`, the suffix with each `*` the
  // file's name: `-i'/etc/cron.d/*'` writes the backup there (taken both beside the file and
  // from the working directory, where a relative one may land).
  for (const suffix of suffixes) {
    for (const file of files) {
      if (!file.literal) continue;
      if (!suffix.text.includes("*")) {
        run.facts.write(run.name, `${file.text}${suffix.text}`);
        continue;
      }
      const named = suffix.text.replaceAll("*", posix.basename(file.text));
      run.facts.write(run.name, named);
      if (!named.startsWith("/")) run.facts.write(run.name, posix.join(posix.dirname(file.text), named));
    }
  }
  run.facts.mutates();
}

function dd(run: Invocation): void {
  for (const arg of run.args) {
    if (!arg.literal) return run.facts.unverifiable(run.name, `a computed operand ${arg.text}`);
    if (arg.text.startsWith("of=")) run.facts.write(run.name, arg.text.slice(3));
  }
}

function sort(run: Invocation): void {
  // --compress-program=PROG runs PROG on sort's temporary files.
  const compress = run.args.find((a) => !a.literal || /^--compress-prog/.test(a.text));
  if (compress) return run.facts.unverifiable(run.name, compress.literal ? "--compress-program runs the program it names" : `a computed argument ${compress.text}`);
  for (const out of optionValues(run.args, ["--output"], ["-o"], "kotST")) run.facts.write(run.name, out);
}

function uniq(run: Invocation): void {
  const ops = operands(run.args);
  if (ops.length > 1) run.facts.write(run.name, ops[1]);
}

function tar(run: Invocation): void {
  const args = run.args;
  const first = args[0];
  const oldStyle = first?.literal && !first.text.startsWith("-") ? first.text : "";
  const letters = oldStyle + args.filter((a) => a.literal && /^-[A-Za-z]+$/.test(a.text)).map((a) => a.text.slice(1)).join("");
  const extract = /x/.test(letters) || has(args, "--extract", "--get");
  const create = /[cruA]/.test(letters) || has(args, "--create", "--append", "--update", "--concatenate", "--delete");
  const list = /t/.test(letters) || has(args, "--list", "--diff", "--compare") || /d/.test(letters);
  let archive = optionValue(args, ["--file"], ["-f"]);
  if (archive === undefined && /f/.test(oldStyle)) archive = args[1];
  if (archive === undefined) {
    const cluster = args.findIndex((a) => a.literal && /^-[A-Za-z]*f$/.test(a.text));
    if (cluster !== -1) archive = args[cluster + 1];
  }
  // Options that run a program (a filter, a compressor, a checkpoint or volume script, a
  // remote shell) run whatever they name; --remove-files deletes what it archives.
  const runs = args.find((a) => a.literal && /^--(to-command|checkpoint-action|use-compress-program|info-script|new-volume-script|rsh-command|rmt-command)(=|$)/.test(a.text));
  if (runs !== undefined || /[IF]/.test(letters)) return run.facts.unverifiable(run.name, `runs the program an option names (${runs?.text ?? "-I/-F"})`);
  const index = optionValue(args, ["--index-file", "--listed-incremental"], ["-g"]);
  if (index !== undefined) run.facts.write(run.name, index);
  const directory = optionValue(args, ["--directory"], ["-C"]);
  if (has(args, "--remove-files")) {
    const valued = new Set([archive, directory, index]);
    operands(oldStyle === "" ? args : args.slice(1)).filter((w) => !valued.has(w)).forEach((file) => run.facts.write(run.name, file));
  }
  if (extract) {
    run.facts.write(run.name, directory === undefined ? "**" : directory.literal ? `${directory.text.replace(/\/+$/, "")}/**` : directory);
    return run.facts.mutates();
  }
  if (create) {
    if (archive === undefined || (archive.literal && archive.text === "-")) return;
    run.facts.write(run.name, archive);
    return run.facts.mutates();
  }
  if (!list) run.facts.unverifiable(run.name, "a tar mode gatehouse does not model");
}

function unzip(run: Invocation): void {
  if (has(run.args, "-l", "-v", "-t", "-Z", "-p")) return;
  const dir = optionValue(run.args, [], ["-d"]);
  run.facts.write(run.name, dir === undefined ? "**" : dir.literal ? `${dir.text.replace(/\/+$/, "")}/**` : dir);
}

function compressor(run: Invocation): void {
  // gzip FILE replaces FILE with FILE.gz (and gunzip the other way); -c writes to stdout.
  if (hasShort(run.args, "c") || hasShort(run.args, "t") || hasShort(run.args, "l") || has(run.args, "--stdout", "--to-stdout", "--test", "--list")) return;
  const ops = operands(run.args);
  if (ops.length === 0) return;
  for (const file of ops) {
    run.facts.write(run.name, file);
    if (file.literal) run.facts.write(run.name, /^(gunzip|bunzip2|unxz|unzstd)$/.test(run.name) || hasShort(run.args, "d") ? file.text.replace(/\.(gz|bz2|xz|zst)$/, "") : `${file.text}.${{ gzip: "gz", bzip2: "bz2", xz: "xz", zstd: "zst" }[run.name] ?? "gz"}`);
  }
}

// curl's short options that take a value (getopt clusters: `-sSLo FILE`, `-XPOST`, `-sd @f`).
const CURL_VALUED = "AbcCdDeEFhHKmoQrTuUwxXyYzEP";

function curl(run: Invocation): void {
  const args = run.args;
  const method = optionValues(args, ["--request"], ["-X"], CURL_VALUED);
  const sends =
    args.some((a) => a.literal && /^(--data.*|--form.*|--upload-file|--json)$/.test(a.text)) ||
    ["-d", "-F", "-T"].some((short) => optionValues(args, [], [short], CURL_VALUED).length > 0) ||
    method.some((m) => !/^(GET|HEAD)$/i.test(text(m) ?? ""));
  if (sends) run.facts.unscoped(run.name, "sends data to a URL (a remote change)");
  if (has(args, "--config") || optionValues(args, [], ["-K"], CURL_VALUED).length > 0) return run.facts.unverifiable(run.name, "reads its options from a config file");
  const outs = optionValues(args, ["--output"], ["-o"], CURL_VALUED);
  for (const out of outs) if (!(out.literal && out.text === "-")) run.facts.write(run.name, out);
  if (has(args, "--remote-name", "--remote-name-all") || hasShortOption(args, "O", CURL_VALUED)) {
    const url = operands(args).find((w) => !outs.includes(w));
    run.facts.write(run.name, url === undefined ? undefined : url.literal ? urlBasename(url.text) : url);
  }
  for (const dir of optionValues(args, ["--output-dir"])) run.facts.write(run.name, dir.literal ? `${dir.text}/**` : dir);
  for (const dump of optionValues(args, ["--dump-header", "--cookie-jar", "--trace", "--trace-ascii", "--stderr", "--etag-save", "--libcurl", "--hsts", "--alt-svc"], ["-D", "-c"], CURL_VALUED)) {
    if (!(dump.literal && dump.text === "-")) run.facts.write(run.name, dump);
  }
  // -w '%output{FILE}' (curl 8.3) writes the rest of the write-out to FILE; -w @FILE reads a
  // format the log does not show, which may do the same.
  for (const format of optionValues(args, ["--write-out"], ["-w"], CURL_VALUED)) {
    if (!format.literal) {
      run.facts.unverifiable(run.name, `a computed --write-out format ${format.text}, which may write a file (%output{FILE})`);
      continue;
    }
    if (format.text.startsWith("@")) {
      run.facts.unverifiable(run.name, "--write-out @FILE reads a format the log does not show, which may write a file (%output{FILE})");
      continue;
    }
    for (const m of format.text.matchAll(/%output\{(?:>>)?([^}]*)\}/g)) run.facts.write(run.name, m[1]!);
    if (/%output\{[^}]*$/.test(format.text)) run.facts.unverifiable(run.name, "an unterminated %output{ in --write-out");
  }
}

const urlBasename = (url: string): string => url.replace(/[?#].*$/, "").replace(/^.*\//, "") || "index.html";

// wget's short options that take a value.
const WGET_VALUED = "aABeiIlOoPQtTUwXDY";

function wget(run: Invocation): void {
  const args = run.args;
  if (has(args, "--post-data", "--post-file", "--method", "--body-data", "--body-file") || args.some((a) => a.literal && /^--(post|method|body)/.test(a.text))) run.facts.unscoped(run.name, "sends data to a URL (a remote change)");
  if (has(args, "--spider")) return;
  if (has(args, "--input-file", "--execute", "--config") || args.some((a) => a.literal && /^--(input-file|execute|config)=/.test(a.text)) || optionValues(args, [], ["-i", "-e"], WGET_VALUED).length > 0) return run.facts.unverifiable(run.name, "reads URLs or commands from a file (-i, -e, --config)");
  const outs = optionValues(args, ["--output-document"], ["-O"], WGET_VALUED);
  const logs = optionValues(args, ["--output-file", "--append-output"], ["-o", "-a"], WGET_VALUED);
  for (const log of logs) run.facts.write(run.name, log);
  if (outs.length > 0) {
    for (const out of outs) if (!(out.literal && out.text === "-")) run.facts.write(run.name, out);
    return;
  }
  const prefix = optionValue(args, ["--directory-prefix"], ["-P"], WGET_VALUED);
  if (has(args, "-r", "--recursive", "-m", "--mirror") || hasShort(args, "r")) return run.facts.write(run.name, prefix === undefined ? "**" : prefix.literal ? `${prefix.text}/**` : prefix);
  const valued = new Set<Word | undefined>([prefix, ...logs]);
  for (const url of operands(args).filter((w) => !valued.has(w))) {
    if (!url.literal) run.facts.write(run.name, url);
    else run.facts.write(run.name, prefix?.literal ? `${prefix.text}/${urlBasename(url.text)}` : prefix ?? urlBasename(url.text));
  }
}

function openssl(run: Invocation): void {
  for (let i = 0; i < run.args.length; i++) {
    const arg = run.args[i]!;
    if (arg.literal && /^-(out|keyout|signkey_out|certout|sess_out|writerand)$/.test(arg.text)) run.facts.write(run.name, run.args[i + 1]);
  }
}

function yq(run: Invocation): void {
  if (!(has(run.args, "--inplace") || hasShort(run.args, "i") || run.args.some((a) => a.literal && /^(-i|--inplace)=/.test(a.text)))) return;
  const ops = operands(run.args);
  ops.slice(1).forEach((file) => run.facts.write(run.name, file));
}

// ---- services, the machine ------------------------------------------------------------------

const SYSTEMCTL_READ_ONLY = new Set(["status", "show", "cat", "help", "is-active", "is-enabled", "is-failed", "is-system-running", "get-default", "show-environment", "list-units", "list-unit-files", "list-sockets", "list-timers", "list-jobs", "list-dependencies", "list-machines", "list-automounts", "list-paths", "--version"]);
// Verbs about the whole machine or the service manager itself, not one unit.
const SYSTEMCTL_SYSTEM = new Set(["reboot", "poweroff", "halt", "kexec", "suspend", "hibernate", "hybrid-sleep", "suspend-then-hibernate", "rescue", "emergency", "default", "exit", "switch-root", "soft-reboot", "sleep"]);
const SYSTEMCTL_VALUE_OPTIONS = /^(-t|--type|-p|--property|-s|--signal|-H|--host|-M|--machine|-n|--lines|-o|--output|--state|--root|--kill-whom|--job-mode|--what|--message|--timestamp|--when)$/;

function systemctl(run: Invocation): void {
  let verb: Word | undefined;
  let rest: Word[] = [];
  for (let i = 0; i < run.args.length; i++) {
    const arg = run.args[i]!;
    if (arg.literal && SYSTEMCTL_VALUE_OPTIONS.test(arg.text)) i++;
    else if (!isOption(arg)) {
      verb = arg;
      rest = run.args.slice(i + 1);
      break;
    }
  }
  if (verb === undefined) return;
  if (!verb.literal) return run.facts.unverifiable(run.name, `a computed verb ${verb.text}`);
  if (SYSTEMCTL_READ_ONLY.has(verb.text)) return;
  // -H/--host and -M/--machine act on another machine (as ssh would); edit opens an editor whose
  // changes the log does not show.
  const remote = optionValue(run.args, ["--host", "--machine"], ["-H", "-M"], "tpsHMnoT");
  if (remote !== undefined) return run.facts.unverifiable(run.name, `acts on another host or machine (${remote.text}), which the log does not show`);
  if (verb.text === "edit") return run.facts.unverifiable(run.name, "edit opens an editor, and what it writes the log does not show");
  if (SYSTEMCTL_SYSTEM.has(verb.text)) return run.facts.service(run.name, verb.text, "system");
  const units = operands(rest);
  if (verb.text === "set-default" || verb.text === "isolate") {
    run.facts.service(run.name, verb.text, "system");
    return;
  }
  if (units.length === 0) return run.facts.service(run.name, verb.text, "*");
  for (const unit of units) run.facts.service(run.name, verb.text, unit);
}

const SERVICE_READ_ONLY = /^(status|--status-all|help|usage)$/;

function service(run: Invocation): void {
  const [unit, verb] = operands(run.args);
  if (unit === undefined || (unit.literal && SERVICE_READ_ONLY.test(unit.text))) return;
  if (verb === undefined) return run.facts.unverifiable(run.name, "a service command without an action");
  if (!verb.literal) return run.facts.unverifiable(run.name, `a computed action ${verb.text}`);
  if (!SERVICE_READ_ONLY.test(verb.text)) run.facts.service(run.name, verb.text, unit);
}

function rcUpdate(run: Invocation): void {
  // update-rc.d NAME ..., chkconfig NAME on|off, rc-update add|del NAME
  const ops = operands(run.args);
  if (ops.length === 0 || has(run.args, "--list", "show")) return;
  const unit = run.name === "rc-update" ? ops[1] : ops[0];
  if (unit === undefined) return;
  run.facts.service(run.name, run.name === "rc-update" ? (text(ops[0]) ?? "update") : (text(ops[1]) ?? "update"), unit);
}

function kill(run: Invocation): void {
  const ops = operands(run.args).filter((w) => !(w.literal && /^-/.test(w.text)));
  if (has(run.args, "-l", "-L", "--list")) return;
  if (ops.length === 0) return run.facts.service(run.name, "kill", "?");
  for (const target of ops) {
    if (!target.literal) run.facts.unverifiable(run.name, `kills a computed target ${target.text}`);
    else run.facts.service(run.name, "kill", run.name === "kill" && /^-?\d+$/.test(target.text) ? `pid:${target.text}` : target.text);
  }
}

function killByName(run: Invocation): void {
  const ops = operands(run.args);
  if (ops.length === 0) return run.facts.service(run.name, "kill", "?");
  for (const target of ops) run.facts.service(run.name, "kill", target);
}

function power(verb: string): Handler {
  return (run) => {
    if (has(run.args, "--help", "--version")) return;
    run.facts.service(run.name, verb, "system");
  };
}

function init(run: Invocation): void {
  const level = operands(run.args)[0];
  if (level === undefined) return run.facts.unverifiable(run.name, "starts an init system");
  run.facts.service(run.name, `runlevel ${level.text}`, "system");
}

function nginx(run: Invocation): void {
  // -c FILE, -g DIRECTIVES, -p PREFIX, -e LOG: a configuration the log does not show, which can
  // load modules (code) and opens its log and pid files even under -t. Only the default
  // configuration file is judged.
  const configured = serverConfiguration(run, "cgpes", ["-c", "-g", "-p", "-e"], "/etc/nginx/nginx.conf");
  if (configured) return run.facts.unverifiable(run.name, configured);
  const signal = optionValue(run.args, [], ["-s"]);
  if (signal !== undefined) return run.facts.service(run.name, signal.literal ? signal.text : "signal", "nginx");
  if (has(run.args, "-t", "-T", "-v", "-V", "-h", "-?") || hasShort(run.args, "t") || hasShort(run.args, "T")) return;
  run.facts.service(run.name, "start", "nginx");
}

/**
 * Why a web server's options give it a configuration the log does not show (a file, directives,
 * a server root or prefix, a log path), or undefined. A configuration can load modules (code)
 * and opens the log and pid files it names, even for a configuration test.
 */
function serverConfiguration(run: Invocation, valued: string, options: string[], defaultFile: string): string | undefined {
  for (const option of options) {
    for (const value of optionValues(run.args, [], [option], valued)) {
      if (option === options[0] && value.literal && value.text === defaultFile) continue;
      return `${option} ${value.text} runs ${run.name} with a configuration the log does not show, which can load modules and write files, even for a configuration test`;
    }
  }
  return undefined;
}

function apachectl(run: Invocation): void {
  // apachectl hands these to httpd: -f FILE, -d SERVERROOT, -C/-c DIRECTIVE.
  const configured = serverConfiguration(run, "fdCcDek", ["-f", "-d", "-C", "-c"], "/etc/apache2/apache2.conf");
  if (configured) return run.facts.unverifiable(run.name, configured);
  const verb = operands(run.args)[0] ?? run.args.find((a) => a.literal && a.text === "-k");
  const action = optionValue(run.args, [], ["-k"]) ?? verb;
  if (action === undefined) return run.facts.unverifiable(run.name, "apachectl without an action");
  if (!action.literal) return run.facts.unverifiable(run.name, `a computed action ${action.text}`);
  if (/^(configtest|-t|status|fullstatus|-v|-V|-S|-M|-l|-L)$/.test(action.text) || has(run.args, "-t", "-S", "-M", "-v", "-V")) return;
  run.facts.service(run.name, action.text, "apache2");
}

// ---- streams -------------------------------------------------------------------------------

function kafkaProducer(run: Invocation): void {
  run.facts.stream(run.name, optionValue(run.args, ["--topic"], ["-t"]));
}

function kafkaTopics(run: Invocation): void {
  if (!has(run.args, "--create", "--delete", "--alter")) return;
  run.facts.stream(run.name, optionValue(run.args, ["--topic"]));
}

function kafkaOther(run: Invocation): void {
  if (has(run.args, "--describe", "--list") && !has(run.args, "--alter", "--reset-offsets", "--delete", "--execute")) return;
  const topic = optionValue(run.args, ["--topic", "--entity-name"]);
  if (topic !== undefined) return run.facts.stream(run.name, topic);
  run.facts.unverifiable(run.name, "a kafka admin change gatehouse does not model");
}

function kcat(run: Invocation): void {
  if (!hasShort(run.args, "P")) return;
  run.facts.stream(run.name, optionValue(run.args, [], ["-t"]));
}

function redisCli(run: Invocation): void {
  const args = run.args;
  const at = args.findIndex((a) => a.literal && /^(publish|spublish|xadd|lpush|rpush|lpushx|rpushx)$/i.test(a.text));
  if (at !== -1) return run.facts.stream(run.name, args[at + 1]);
  if (args.some((a) => a.literal && /^(set|setex|setnx|mset|del|unlink|flushall|flushdb|hset|hdel|expire|rename|incr|decr|sadd|srem|zadd|zrem|config|shutdown|eval|evalsha|script|function|debug|migrate|restore|swapdb|move|copy)$/i.test(a.text))) run.facts.unscoped(run.name, "changes a Redis data store");
  if (has(args, "-x", "--eval", "--pipe")) run.facts.unverifiable(run.name, "sends commands the log does not show (--eval, --pipe, -x)");
}

function rabbitmqadmin(run: Invocation): void {
  if (has(run.args, "publish")) {
    for (const a of run.args) if (a.literal && /^(routing_key|exchange)=/.test(a.text)) run.facts.stream(run.name, a.text.slice(a.text.indexOf("=") + 1));
  } else if (has(run.args, "declare", "delete", "purge", "close", "import")) run.facts.unscoped(run.name, "changes a RabbitMQ broker");
}

function nats(run: Invocation): void {
  const [sub, subject] = operands(run.args);
  if (sub?.literal && (sub.text === "pub" || sub.text === "publish" || sub.text === "req" || sub.text === "request")) run.facts.stream(run.name, subject);
}

function aws(run: Invocation): void {
  const ops = operands(run.args);
  const [service, action] = ops.map(text);
  if (service === "sqs" && action === "send-message") {
    const url = optionValue(run.args, ["--queue-url"]);
    return run.facts.stream(run.name, url?.literal ? url.text.replace(/^.*\//, "") : url);
  }
  if (service === "sns" && action === "publish") return run.facts.stream(run.name, optionValue(run.args, ["--topic-arn"]));
  if (service === "kinesis" && (action === "put-record" || action === "put-records")) return run.facts.stream(run.name, optionValue(run.args, ["--stream-name"]));
  if (service === "s3" && (action === "cp" || action === "mv" || action === "sync")) {
    const target = ops[ops.length - 1];
    if (target && !(target.literal && target.text.startsWith("s3://"))) run.facts.write(run.name, target);
  }
  if (!ops.some((w) => w.literal && (/^(describe|list|get)-/.test(w.text) || w.text === "ls" || w.text === "help"))) run.facts.unscoped(run.name, "changes cloud resources");
}

function gcloud(run: Invocation): void {
  const ops = operands(run.args).map(text);
  if (ops.includes("pubsub") && ops.includes("publish")) return run.facts.stream(run.name, operands(run.args)[ops.indexOf("publish") + 1]);
  if (!ops.some((w) => w === "list" || w === "describe" || w === "help" || w === "info")) run.facts.unscoped(run.name, "changes cloud resources");
}

// ---- network, firewall, users ---------------------------------------------------------------

// iproute2 takes any prefix of an object name; the first match in its own table (ip/ip.c) wins,
// so `ip l` is link and `ip net` is netns.
const IP_OBJECTS = ["address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable", "ntbl", "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tunl", "tuntap", "tap", "token", "tcpmetrics", "tcp_metrics", "monitor", "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr", "nexthop", "mptcp", "ioam", "stats", "help"];
const IP_READ_ONLY_ACTIONS = ["show", "list", "lst", "get", "help", "monitor"];
const IP_MUTATING_ACTIONS = ["add", "change", "chg", "replace", "delete", "set", "flush", "append", "prepend", "restore", "save", "exec", "identify", "pids", "attach", "detach", "update", "test"];

function ip(run: Invocation): void {
  const args = run.args;
  let i = 0;
  for (; i < args.length && isOption(args[i]!); i++) {
    const flag = args[i]!.text;
    if (/^-(b|batch)$/.test(flag) || flag === "-force") return run.facts.unverifiable(run.name, "runs commands from a batch file");
    if (/^-(n|netns|f|family|rc|rcvbuf|l|loops)$/.test(flag)) i++;
  }
  const object = args[i];
  if (object === undefined) return;
  if (!object.literal) return run.facts.unverifiable(run.name, `a computed object ${object.text}`);
  const name = IP_OBJECTS.find((o) => o.startsWith(object.text));
  const action = args[i + 1];
  if (name === "netns" && action?.literal && "exec".startsWith(action.text) && action.text.length > 0) {
    // ip netns exec NAME COMMAND...: the command runs, in another network namespace.
    return run.facts.run(args.slice(i + 3), run.source);
  }
  if (action === undefined || name === "monitor" || name === "help") return;
  if (!action.literal) return run.facts.unverifiable(run.name, `a computed action ${action.text}`);
  const readOnly = action.text.length > 0 && IP_READ_ONLY_ACTIONS.some((a) => a.startsWith(action.text)) && !IP_MUTATING_ACTIONS.some((a) => a.startsWith(action.text));
  // `ip link eth0` is not an action: show-like words only.
  if (!readOnly || name === undefined) run.facts.category("network");
}

function ifconfig(run: Invocation): void {
  if (operands(run.args).length > 1) run.facts.category("network");
}

function route(run: Invocation): void {
  if (has(run.args, "add", "del", "delete", "flush", "change", "replace")) run.facts.category("network");
}

function nmcli(run: Invocation): void {
  if (run.args.some((a) => a.literal && /^(up|down|modify|add|delete|reload|connect|disconnect|edit|clone|import|load|on|off|reapply|set-hostname)$/.test(a.text))) run.facts.category("network");
}

function netplan(run: Invocation): void {
  const sub = text(operands(run.args)[0]);
  if (sub === "apply" || sub === "try" || sub === "set") run.facts.category("network");
}

function ethtool(run: Invocation): void {
  if (run.args.some((a) => a.literal && /^-([sKAGCLEpfNXW]|-change|-features|-set-.*|-pause|-coalesce|-ring|-flash|-reset|-set-channels)$/.test(a.text))) run.facts.category("network");
}

function tc(run: Invocation): void {
  if (run.args.some((a) => a.literal && /^(add|del|delete|change|replace|link)$/.test(a.text))) run.facts.category("network");
}

function networkAlways(run: Invocation): void {
  if (has(run.args, "--help", "--version", "-V")) return;
  run.facts.category("network");
}

function firewall(run: Invocation): void {
  const args = run.args;
  const listing = args.some((a) => a.literal && /^(-L|--list|-S|--list-rules|list|status|show|--state|--list-all|--list-all-zones|--get-.*|--query-.*|-n|-v|--line-numbers)$/.test(a.text)) && !args.some((a) => a.literal && /^(-A|-I|-D|-F|-P|-R|-N|-X|-Z|add|delete|insert|flush|allow|deny|reject|limit|reset|enable|disable|reload|default|route|--add-.*|--remove-.*|--reload|--set-.*|--new-.*|--delete-.*|--change-.*|--permanent|--runtime-to-permanent|--panic-on)$/.test(a.text));
  if (!listing) run.facts.category("firewall");
}

function users(run: Invocation): void {
  if (has(run.args, "--help", "-h") && run.args.length === 1) return;
  run.facts.category("user-permissions");
}

function crontab(run: Invocation): void {
  if (has(run.args, "-l")) return;
  run.facts.category("user-permissions");
  run.facts.unverifiable(run.name, "installs or edits a crontab, whose commands the log does not show");
}

// ---- version control, system settings --------------------------------------------------------

// `git -c KEY=VALUE` settings that name no command and no file of settings (keys are
// case-insensitive). Everything else may: filters, merge drivers, pagers, hooks, protocols.
const HARMLESS_GIT_SETTINGS = /^(color\.[a-z.]+|column\.[a-z]+|advice\.[a-z]+|i18n\.[a-z]+|versionsort\.[a-z]+|user\.(name|email)|author\.(name|email)|committer\.(name|email)|init\.defaultbranch|safe\.directory|log\.(date|decorate|abbrevcommit|follow|showroot|mailmap|graphcolors|excludedecoration|initialdecorationset)|status\.(short|branch|showstash|showuntrackedfiles|relativepaths|aheadbehind|renames|renamelimit)|grep\.(linenumber|column|patterntype|extendedregexp|fullname|fallbacktonoindex)|blame\.(date|coloring|showemail|blankboundary|showroot)|core\.(quotepath|abbrev|autocrlf|safecrlf|filemode|ignorecase|precomposeunicode|whitespace|commentchar|untrackedcache|checkstat|trustctime|symlinks)|diff\.(renames|renamelimit|algorithm|noprefix|mnemonicprefix|relative|context|interhunkcontext|indentheuristic|suppressblankempty|colormoved|colormovedws|statgraphwidth|wserrorhighlight|ignoresubmodules|submodule|dirstat))=/i;

function harmlessGitSetting(setting: Word | undefined): boolean {
  return setting !== undefined && setting.literal && HARMLESS_GIT_SETTINGS.test(setting.text);
}

const GIT_READ_ONLY = new Set(["status", "diff", "log", "show", "rev-parse", "ls-files", "ls-tree", "ls-remote", "blame", "describe", "cat-file", "shortlog", "grep", "help", "version", "whatchanged", "reflog", "for-each-ref", "name-rev", "rev-list", "show-ref", "count-objects", "fsck", "check-ignore", "check-attr", "var", "merge-base", "cherry"]);
const GIT_VALUE_OPTIONS = /^(-C|-c|--git-dir|--work-tree|--namespace|--exec-path|--config-env|--super-prefix)$/;

function git(run: Invocation): void {
  const args = run.args;
  let dir: Word | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (!isOption(arg)) break;
    if (arg.text === "-C") dir = args[i + 1];
    if (arg.text === "--work-tree") dir = args[i + 1];
    if (arg.text.startsWith("--work-tree=")) dir = { text: arg.text.slice("--work-tree=".length), literal: true };
    // Settings can name commands git runs (core.fsmonitor, filter.X.clean, merge.X.driver,
    // protocol.ext.allow with an ext:: URL ...): only those known to name none are judged.
    if (arg.text === "-c" && !harmlessGitSetting(args[i + 1])) return run.facts.unverifiable(run.name, `-c ${args[i + 1]?.text ?? ""}: a setting gatehouse does not know to be harmless (settings can name commands git runs, or files it reads its settings from)`);
    // --config-env sets a key from an environment variable the log does not show (the sibling of
    // -c); --exec-path=DIR runs git's helpers (git-remote-https ...) from DIR; --git-dir reads
    // another repository's configuration, which names commands (core.fsmonitor, diff.external).
    if (/^--(config-env|git-dir)(=|$)/.test(arg.text) || arg.text.startsWith("--exec-path=")) {
      return run.facts.unverifiable(run.name, `${arg.text.split("=")[0]} makes git run commands or read settings the log does not show`);
    }
    if (GIT_VALUE_OPTIONS.test(arg.text)) i++;
  }
  const sub = args[i];
  if (sub === undefined) return;
  if (!sub.literal) return run.facts.unverifiable(run.name, `a computed subcommand ${sub.text}`);
  // ext:: and fd:: remotes run a command or talk over descriptors instead of fetching a URL.
  const transport = args.find((a) => a.literal && /^(ext|fd)::/i.test(a.text));
  if (transport) return run.facts.unverifiable(run.name, `${transport.text.slice(0, 5)} remote runs a command, not a fetch`);
  const rest = args.slice(i + 1);
  if (GIT_READ_ONLY.has(sub.text)) {
    // Read-only subcommands can still write a file or run a pager command.
    const output = optionValue(rest, ["--output"]);
    if (output !== undefined) run.facts.write(run.name, output);
    if (sub.text === "grep" && rest.some((a) => a.literal && /^(-O|--open-files-in-pager)/.test(a.text))) run.facts.unverifiable(run.name, "grep -O runs a pager command");
    if (rest.some((a) => a.literal && a.text === "--ext-diff")) run.facts.unverifiable(run.name, "--ext-diff runs the external diff program git is configured with");
    return;
  }
  if (sub.text === "branch" && rest.every((a) => a.literal && /^(-a|-r|-v|-vv|--list|--all|--show-current|--contains|--merged|--no-merged)$/.test(a.text))) return;
  if (sub.text === "remote" && rest.every((a) => a.literal && /^(-v|show|get-url)$/.test(a.text))) return;
  if (sub.text === "config" && rest.some((a) => a.literal && /^(--get|--get-all|--list|-l|--get-regexp)$/.test(a.text))) return;
  if (sub.text === "stash" && rest[0]?.literal && /^(list|show)$/.test(rest[0].text)) return;
  const base = dir === undefined ? undefined : dir.literal ? dir.text.replace(/\/+$/, "") : null;
  if (base === null) return run.facts.unverifiable(run.name, `runs in a computed directory ${dir!.text}`);
  if (sub.text === "clone") {
    const ops = operands(rest);
    const target = ops[1] ?? (ops[0]?.literal ? { text: ops[0].text.replace(/\/+$/, "").replace(/^.*[/:]/, "").replace(/\.git$/, ""), literal: true } : ops[0]);
    if (target === undefined) return run.facts.mutates();
    return run.facts.write(run.name, target.literal ? `${base === undefined || target.text.startsWith("/") ? "" : `${base}/`}${target.text}/**` : target);
  }
  // Anything else may change the repository and its working tree.
  run.facts.write(run.name, base === undefined ? "**" : `${base}/**`);
}

function date(run: Invocation): void {
  if (has(run.args, "-s", "--set") || run.args.some((a) => a.literal && a.text.startsWith("--set="))) run.facts.unverifiable(run.name, "sets the system clock");
  if (operands(run.args).some((w) => w.literal && /^\d{6,}/.test(w.text))) run.facts.unverifiable(run.name, "sets the system clock");
}

function hostname(run: Invocation): void {
  if (operands(run.args).length > 0 || has(run.args, "-F", "--file", "-b", "--boot")) run.facts.category("network");
}

function journalctl(run: Invocation): void {
  if (run.args.some((a) => a.literal && /^--(vacuum-.*|rotate|flush|sync|relinquish-var|smart-relinquish-var|setup-keys|update-catalog)/.test(a.text))) run.facts.mutates();
}

function dmesg(run: Invocation): void {
  if (has(run.args, "-c", "-C", "--clear", "--read-clear", "-n", "--console-level", "-D", "-E", "--console-off", "--console-on")) run.facts.mutates();
}

function mount(run: Invocation): void {
  if (operands(run.args).length > 0 || has(run.args, "-a", "--all", "-o", "--options") || run.name === "umount" || run.name === "swapon" || run.name === "swapoff") {
    run.facts.unverifiable(run.name, "mounts, unmounts or swaps a file system");
  }
}

function sysctl(run: Invocation): void {
  if (has(run.args, "-w", "--write", "-p", "--load", "--system") || operands(run.args).some((w) => !w.literal || w.text.includes("="))) run.facts.unverifiable(run.name, "changes kernel parameters");
}

function readOnlySubcommands(readOnly: RegExp, position = 0): Handler {
  return (run) => {
    const sub = operands(run.args)[position];
    if (sub === undefined && run.args.every((a) => a.literal && /^(--version|-v|--help|-h|version)$/.test(a.text))) return;
    if (sub?.literal && readOnly.test(sub.text)) return;
    run.facts.unverifiable(run.name, `${sub?.text ?? "this"} is not a ${run.name} subcommand gatehouse knows to be read-only`);
  };
}

function remote(run: Invocation): void {
  if (run.args.length === 1 && run.args[0]!.literal && /^(-V|--version)$/.test(run.args[0]!.text)) return;
  run.facts.unverifiable(run.name, "runs commands on another host (or in another root), which the log does not show");
}

/** less/more: `+CMD` runs a pager command at start, and `!` in one is a shell escape. */
function pager(run: Invocation): void {
  const escape = run.args.find((a) => !a.literal || (a.text.startsWith("+") && /[!|]/.test(a.text)));
  if (escape) run.facts.unverifiable(run.name, `a start-up command ${escape.text} can run a shell`);
}

/** Builtins that assign the variables they name: `read PATH`, `printf -v PATH`. */
function assigns(names: (run: Invocation) => (Word | undefined)[]): Handler {
  return (run) => {
    for (const name of names(run)) {
      if (name === undefined) continue;
      if (!name.literal) return run.facts.unverifiable(run.name, `assigns a computed variable ${name.text}`);
      if (isLookupVariable(name.text)) return run.facts.unverifiable(run.name, `sets ${name.text}, so the programs it names may be other programs`);
      const subscript = nameSubscriptProblem(name.text);
      if (subscript) return run.facts.unverifiable(ARITHMETIC, `${run.name} ${subscript}`);
    }
  };
}

/** test/[ are read-only, but `-v NAME` evaluates NAME's subscript as arithmetic (`test -v 'a[$(rm -rf /etc)]'` runs rm). */
function testCommand(run: Invocation): void {
  run.args.forEach((arg, i) => {
    if (!(arg.literal && arg.text === "-v")) return;
    const name = run.args[i + 1];
    if (name === undefined) return;
    if (!name.literal) return run.facts.unverifiable(ARITHMETIC, `${run.name} -v of a computed name ${name.text}, whose subscript bash may evaluate as arithmetic`);
    const subscript = nameSubscriptProblem(name.text);
    if (subscript) run.facts.unverifiable(ARITHMETIC, `${run.name} -v ${subscript}`);
  });
}

function command(run: Invocation): void {
  if (has(run.args, "-v", "-V")) return;
  runAfterOptions(run, /^$/);
}

/** ripgrep is read-only but --pre runs a program on every file it searches. */
function ripgrep(run: Invocation): void {
  const pre = run.args.find((a) => !a.literal || a.text === "--pre" || a.text.startsWith("--pre="));
  if (pre) run.facts.unverifiable(run.name, pre.literal ? "--pre runs a program on every file it searches" : `a computed argument ${pre.text}`);
}

/** history -w/-a FILE writes the shell history there (no FILE: $HISTFILE, which the log does not show). */
function history(run: Invocation): void {
  if (!run.args.some((a) => a.literal && /^-[a-z]*[wa]/.test(a.text))) return;
  const file = operands(run.args)[0];
  if (file === undefined) return run.facts.unverifiable(run.name, "writes the history to $HISTFILE, which the log does not show");
  run.facts.write(run.name, file);
}

/** file -C compiles the magic file into NAME.mgc in the working directory. */
function fileCommand(run: Invocation): void {
  if (hasShortOption(run.args, "C", "efFmP") || has(run.args, "--compile")) run.facts.unverifiable(run.name, "-C writes a compiled magic file");
}

// systemd-analyze's subcommands that only read; the others (log-level X, log-target X,
// service-watchdogs X, set-log-level ...) change the service manager.
const SYSTEMD_ANALYZE_READ_ONLY = /^(time|blame|critical-chain|dump|plot|dot|unit-paths|exit-status|capability|condition|syscall-filter|filesystems|calendar|timespan|timestamp|security|inspect-elf|fdstore|image-policy|pcrs|srk|verify|cat-config|unit-files|unit-gdb|architectures|smbios11|has-tpm2|malloc)$/;

function systemdAnalyze(run: Invocation): void {
  const [sub, ...rest] = operands(run.args);
  if (sub === undefined) return;
  if (sub.literal && SYSTEMD_ANALYZE_READ_ONLY.test(sub.text)) return;
  if (sub.literal && /^(log-level|log-target|service-watchdogs|get-log-level|get-log-target)$/.test(sub.text) && rest.length === 0) return;
  run.facts.unscoped(run.name, `${sub.text} changes the service manager or is not a subcommand gatehouse knows to be read-only`);
}

export const BINARIES: Record<string, Handler> = {
  rg: ripgrep,
  history,
  file: fileCommand,
  "systemd-analyze": systemdAnalyze,
  // wrappers
  sudo,
  doas: sudo,
  sudoedit: (run) => operands(run.args).forEach((file) => run.facts.write(run.name, file)),
  env,
  nohup: (run) => runAfterOptions(run, /^$/),
  setsid: (run) => runAfterOptions(run, /^$/),
  exec: (run) => runAfterOptions(run, /^-a$/),
  builtin: (run) => runAfterOptions(run, /^$/),
  command,
  less: pager,
  more: pager,
  printf: assigns((run) => [optionValue(run.args, [], ["-v"])]),
  // Every word that is not an option may be a name (option values such as a prompt too: harmless).
  read: assigns((run) => operands(run.args)),
  set: setBuiltin,
  wait: assigns((run) => [optionValue(run.args, [], ["-p"])]),
  test: testCommand,
  "[": testCommand,
  tree: (run) => run.facts.write(run.name, optionValue(run.args, [], ["-o"])),
  xxd: (run) => (hasShort(run.args, "r") ? run.facts.write(run.name, operands(run.args)[1]) : undefined),
  ss: (run) => (hasShort(run.args, "K") || has(run.args, "--kill") ? run.facts.category("network") : undefined),
  time: (run) => {
    // GNU time -o FILE writes its report there.
    for (const file of optionValues(wrapperOptions(run.args, /^(-o|--output|-f|--format)$/), ["--output"], ["-o"], "of")) run.facts.write(run.name, file);
    runAfterOptions(run, /^(-o|--output|-f|--format)$/);
  },
  nice: (run) => runAfterOptions(run, /^(-n|--adjustment)$/),
  ionice: (run) => runAfterOptions(run, /^(-c|--class|-n|--classdata|-p|--pid|-P|--pgid|-u|--uid)$/),
  chrt: (run) => runAfterOptions(run, /^$/, (word, index) => index > 0 && !isOption(word)),
  taskset: (run) => runAfterOptions(run, /^$/, (word, index) => index > 0 && !isOption(word)),
  stdbuf: (run) => runAfterOptions(run, /^-[ioe]$/),
  timeout,
  strace: tracer,
  ltrace: tracer,
  xargs,
  busybox,
  toybox: busybox,
  watch,
  su,
  runuser: su,
  flock,
  find,
  // shells and interpreters
  sh: shell,
  bash: shell,
  dash: shell,
  zsh: shell,
  ksh: shell,
  mksh: shell,
  ash: shell,
  fish: shell,
  eval: evalBuiltin,
  source,
  ".": source,
  alias: (run) => run.facts.unverifiable(run.name, "defines an alias, so later names may run something else"),
  trap: (run) => (run.args.length > 1 ? run.facts.unverifiable(run.name, "sets code to run on a signal") : undefined),
  python: python,
  python2: python,
  python3: python,
  perl: interpreter(/^-[a-zA-Z]*[eE][a-zA-Z]*$/),
  ruby: interpreter(/^-[a-zA-Z]*e[a-zA-Z]*$/),
  node: interpreter(/^(-e|--eval|-p|--print|-pe)$/),
  nodejs: interpreter(/^(-e|--eval|-p|--print)$/),
  deno: interpreter(/^(eval|-e)$/),
  php: interpreter(/^(-r|-R|-B|-E|-F)$/),
  lua: interpreter(/^-e$/),
  Rscript: interpreter(/^(-e|--expr)$/),
  tclsh: interpreter(/^$/),
  expect: interpreter(/^-c$/),
  osascript: interpreter(/^-e$/),
  pwsh: interpreter(/^(-c|-Command|-command|-EncodedCommand|-e)$/),
  awk,
  gawk: awk,
  mawk: awk,
  nawk: awk,
  // files
  tee: (run) => operands(run.args).forEach((file) => run.facts.write(run.name, file)),
  cp: copy,
  install: copy,
  rsync: copy,
  scp: copy,
  mv: move,
  rm: writesOperands,
  rmdir: writesOperands,
  mkdir: writesOperands,
  touch: writesOperands,
  unlink: writesOperands,
  shred: writesOperands,
  mkfifo: writesOperands,
  mknod: (run) => run.facts.write(run.name, operands(run.args)[0]),
  truncate,
  ln: link,
  chmod: chmodLike,
  chown: chmodLike,
  chgrp: chmodLike,
  chattr: chmodLike,
  setfacl: (run) => {
    run.facts.category("user-permissions");
    operands(run.args).slice(-1).forEach((file) => run.facts.write(run.name, file));
  },
  sed,
  dd,
  sort,
  uniq,
  tar,
  unzip,
  gzip: compressor,
  gunzip: compressor,
  bzip2: compressor,
  bunzip2: compressor,
  xz: compressor,
  unxz: compressor,
  zstd: compressor,
  unzstd: compressor,
  curl,
  wget,
  openssl,
  yq,
  // services and the machine
  systemctl,
  service,
  "invoke-rc.d": service,
  "rc-service": service,
  "update-rc.d": rcUpdate,
  chkconfig: rcUpdate,
  "rc-update": rcUpdate,
  kill,
  pkill: killByName,
  killall: killByName,
  reboot: power("reboot"),
  shutdown: power("shutdown"),
  halt: power("halt"),
  poweroff: power("poweroff"),
  init,
  telinit: init,
  nginx,
  apachectl,
  apache2ctl: apachectl,
  // streams
  "kafka-console-producer": kafkaProducer,
  "kafka-console-producer.sh": kafkaProducer,
  "kafka-verifiable-producer": kafkaProducer,
  "kafka-verifiable-producer.sh": kafkaProducer,
  "kafka-producer-perf-test": kafkaProducer,
  "kafka-producer-perf-test.sh": kafkaProducer,
  "kafka-topics": kafkaTopics,
  "kafka-topics.sh": kafkaTopics,
  "kafka-configs": kafkaOther,
  "kafka-configs.sh": kafkaOther,
  "kafka-consumer-groups": kafkaOther,
  "kafka-consumer-groups.sh": kafkaOther,
  "kafka-delete-records": kafkaOther,
  "kafka-delete-records.sh": kafkaOther,
  kcat,
  kafkacat: kcat,
  "redis-cli": redisCli,
  rabbitmqadmin,
  nats,
  aws,
  gcloud,
  // network, firewall, users
  ip,
  ifconfig,
  route,
  nmcli,
  netplan,
  ethtool,
  tc,
  ifup: networkAlways,
  ifdown: networkAlways,
  brctl: (run) => (operands(run.args)[0]?.literal && /^show/.test(operands(run.args)[0]!.text) ? undefined : run.facts.category("network")),
  iptables: firewall,
  ip6tables: firewall,
  "iptables-restore": firewall,
  "ip6tables-restore": firewall,
  "iptables-legacy": firewall,
  "iptables-nft": firewall,
  nft: firewall,
  ufw: firewall,
  "firewall-cmd": firewall,
  useradd: users,
  usermod: users,
  userdel: users,
  groupadd: users,
  groupmod: users,
  groupdel: users,
  adduser: users,
  deluser: users,
  addgroup: users,
  delgroup: users,
  passwd: users,
  chpasswd: users,
  gpasswd: users,
  visudo: (run) => (has(run.args, "-c", "--check") ? undefined : users(run)),
  chage: (run) => (has(run.args, "-l", "--list") ? undefined : users(run)),
  crontab,
  // version control, settings, clusters
  git,
  date,
  hostname,
  journalctl,
  dmesg,
  mount,
  umount: mount,
  swapon: mount,
  swapoff: mount,
  sysctl,
  ssh: remote,
  chroot: remote,
  nsenter: remote,
  docker: readOnlySubcommands(/^(ps|images|inspect|logs|version|info|stats|top|port|diff|history|events|search)$/),
  podman: readOnlySubcommands(/^(ps|images|inspect|logs|version|info|stats|top|port|diff|history|events|search)$/),
  kubectl: readOnlySubcommands(/^(get|describe|logs|top|version|explain|api-resources|api-versions|cluster-info|diff)$/),
  helm: readOnlySubcommands(/^(list|ls|status|get|history|show|search|template|lint|version|env)$/),
};

// Writing into /dev/null or a terminal is harmless, so those paths are no write fact. Removing,
// renaming over, linking over or re-permissioning the device node itself is not (`rm -f
// /dev/null` as root breaks every program that writes there; `mv x /dev/null`, `install`,
// `rsync` and `sed -i` replace it with a regular file): those programs naming one are unverifiable.
const DEVICE_NODES = new Set(["/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/1", "/dev/fd/2", "/dev/fd", "/dev"]);
const NODE_CHANGERS = ["rm", "rmdir", "mkdir", "touch", "unlink", "shred", "mkfifo", "mknod", "mv", "ln", "chmod", "chown", "chgrp", "chattr", "setfacl", "install", "rsync", "sed", "truncate", "cp"];

for (const name of NODE_CHANGERS) {
  const handler = BINARIES[name]!;
  BINARIES[name] = (run) => {
    // cp writes into an existing device unless told to remove it first; sed replaces only with -i.
    const replaces = name === "cp" ? has(run.args, "--remove-destination") : name === "sed" ? run.args.some((a) => a.literal && /^(-[a-zA-Z]*i|--in-place)/.test(a.text)) : true;
    if (replaces) {
      const device = run.args.find((word) => word.literal && DEVICE_NODES.has(run.facts.resolve(word.text) ?? ""));
      if (device) run.facts.unverifiable(run.name, `changes the device node ${run.facts.resolve(device.text)} itself (removes, replaces, links over or re-permissions it), which no path scope covers`);
    }
    handler(run);
  };
}
