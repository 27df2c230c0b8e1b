// What a shell command in an execution log does, for the ops-execution policies. The command is
// parsed as Bash (./shell.ts: a real grammar, not a split on `;`); every simple command, wherever
// it runs (lists, pipelines, subshells, bodies, command and process substitutions), goes through
// the wrappers that run another command (sudo, env, nohup, timeout, xargs, busybox, find -exec,
// sh -c '...' ...) to the program that acts, whose arguments are read by its entry in the
// ./binaries.ts table. Redirections are writes. The facts:
//   writes        paths written, created or deleted (as written; relative ones after a literal
//                 `cd` are joined to it; normalised, so /etc/nginx/../shadow is /etc/shadow)
//   services      service actions {verb, unit}; the whole machine is the unit "system"
//   streams       streams, topics and queues published to
//   categories    firewall, network and user-permission changes
//   unverifiable  what cannot be analysed: inline code for an interpreter, a computed command
//                 name or path, a script, a command not known to gatehouse, text that is not
//                 shell. It denies unless the declaration's ALLOWED_COMMANDS names it.
// A command is mutating when it has any fact, or when a known program changes something that
// has no fact of its own (a git commit): it must be verified. A change outside everything a
// declaration scopes (a remote API call, a data store, a broker, cloud resources) is
// unverifiable: it denies unless ALLOWED_COMMANDS names the program.

import { posix } from "node:path";
import type { Parser } from "web-tree-sitter";
import { BINARIES, READ_ONLY } from "./binaries.js";
import { parseScript, shellParser, SYSTEM_BIN_DIRS, type Word } from "./shell.js";

export type Category = "firewall" | "network" | "user-permissions";

export interface CommandFacts {
  mutating: boolean;
  writes: string[];
  /**
   * Paths below a written directory the command may also write, judged against NOT_ALLOWED only
   * (what a recursive rm/chmod reaches, `DIR/**`; the `DEST/NAME` a copy or move into a
   * directory makes): a forbidden tree or secret inside an allowed directory is touched by them.
   */
  reaches: string[];
  services: { verb: string; unit: string }[];
  streams: string[];
  categories: Category[];
  unverifiable: { command: string; reason: string }[];
}

/** The builtins that set or unset variables, which the parser recognises as declarations only at the start of a command. */
const DECLARATION_BUILTINS = new Set(["declare", "typeset", "export", "local", "readonly", "unset"]);

/** Nested `sh -c` levels followed before the rest counts as unverifiable. */
const MAX_DEPTH = 4;
const HARMLESS_TARGETS = new Set(["/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/1", "/dev/fd/2"]);
const INIT_SCRIPT_DIRS = new Set(["/etc/init.d", "/etc/rc.d/init.d", "/etc/rc.d"]);

/** One program run with its arguments, as the binaries table sees it. */
export interface Invocation {
  /** the program's name (basename for system programs) */
  name: string;
  args: Word[];
  source: string;
  facts: FactsBuilder;
}

export type Handler = (run: Invocation) => void;

/** Collects the facts of one step; the binaries table records through it. */
export class FactsBuilder {
  readonly facts: CommandFacts = { mutating: false, writes: [], reaches: [], services: [], streams: [], categories: [], unverifiable: [] };
  /** the working directory: undefined at the step's start (paths as written), null once unknowable */
  cwd: string | null | undefined;

  constructor(
    private readonly parser: Parser,
    private readonly depth: number,
    cwd?: string | null,
  ) {
    this.cwd = cwd;
  }

  mutates(): void {
    this.facts.mutating = true;
  }

  /**
   * A change no scope of a declaration describes (a remote API, a data store, a broker): nothing
   * could show it stays inside the operation, so it is unverifiable (denies unless
   * ALLOWED_COMMANDS names the program), not merely mutating.
   */
  unscoped(command: string, what: string): void {
    this.unverifiable(command, `${what}, which no scope of the declaration (paths, services, streams, changes) covers`);
  }

  /** A path the command writes. A computed one cannot be judged. */
  write(command: string, word: Word | string | undefined): void {
    this.record(command, word, this.facts.writes);
  }

  /** A path the command may write below one it writes (see CommandFacts.reaches). */
  reach(command: string, word: Word | string | undefined): void {
    this.record(command, word, this.facts.reaches);
  }

  private record(command: string, word: Word | string | undefined, into: string[]): void {
    if (word === undefined) return;
    const given = typeof word === "string" ? { text: word, literal: true } : word;
    if (!given.literal) return this.unverifiable(command, `writes a computed path ${given.text}`);
    // `chown -R x /etc/nginx/.*`: bash before 5.2 (globskipdots off) expands `.*` and `.?*` to
    // `..` as well, so the write reaches the parent of the directory it names.
    // An extglob group (`@(..)`, `?(.).`, with shopt extglob) can match .. the same way.
    if (given.text.split("/").some((part) => (part.startsWith(".") && /[*?[]/.test(part)) || /[@!+*?]\(/.test(part))) {
      return this.unverifiable(command, `writes ${given.text}, a pattern that may expand to .. (bash before 5.2 matches .* and extglob groups against . and ..)`);
    }
    const path = this.resolve(given.text);
    if (path === null) return this.unverifiable(command, `writes ${given.text} relative to a working directory the log does not show (after a computed or isolated cd, a cd that may not have run or succeeded: join it with && to what runs there, in a login shell such as sudo -i or su -, or under find -execdir)`);
    if (path === "" || HARMLESS_TARGETS.has(path)) return;
    into.push(path);
  }

  /** A path relative to the working directory joined to it, normalised; null when unknowable. */
  resolve(path: string): string | null {
    const joined = path.startsWith("/") || this.cwd === undefined ? path : this.cwd === null ? null : posix.join(this.cwd, path);
    if (joined === null) return null;
    const normal = posix.normalize(joined).replace(/^\.\//, "");
    return normal.length > 1 ? normal.replace(/\/+$/, "") : normal === "." ? "" : normal;
  }

  service(command: string, verb: string, unit: Word | string): void {
    const given = typeof unit === "string" ? { text: unit, literal: true } : unit;
    if (!given.literal) return this.unverifiable(command, `${verb} of a computed service ${given.text}`);
    this.facts.services.push({ verb, unit: given.text.replace(/\.service$/, "") });
  }

  stream(command: string, name: Word | string | undefined): void {
    const given = name === undefined ? { text: "?", literal: true } : typeof name === "string" ? { text: name, literal: true } : name;
    if (!given.literal) return this.unverifiable(command, `publishes to a computed stream ${given.text}`);
    this.facts.streams.push(given.text);
  }

  category(category: Category): void {
    this.facts.categories.push(category);
  }

  unverifiable(command: string, reason: string): void {
    this.facts.unverifiable.push({ command, reason });
  }

  /** Runs `words` as a command of its own (what a wrapper runs). */
  run(words: Word[], source: string): void {
    if (words.length === 0) return;
    const head = words[0]!;
    if (!head.literal) return this.unverifiable(head.text, "the command name is computed (a substitution or expansion), so what runs cannot be known");
    const program = this.program(head.text);
    if (program.kind === "init-script") {
      const verb = words[1];
      if (verb === undefined || !verb.literal) return this.unverifiable(head.text, "an init script run with a computed or no action");
      if (!/^(status|help|usage)$/.test(verb.text)) this.service(program.name, verb.text, program.unit);
      return;
    }
    if (program.kind === "unknown") return this.unverifiable(program.name, "a program outside the system directories, which gatehouse cannot know");
    // declare/export/local/readonly/typeset/unset reached as a plain command (`builtin export
    // PATH=/srv/tools`, `command unset PATH`, `! export PATH=/srv/tools`, `time declare -n ...`) are the
    // builtins all the same: judged as the shell would read them, like a declaration the parser
    // recognises (PATH and the like, namerefs, the integer attribute, subscripts).
    if (DECLARATION_BUILTINS.has(head.text)) {
      const args = words.slice(1);
      const computed = args.find((w) => !w.literal);
      if (computed) return this.unverifiable(head.text, `${head.text} with a computed argument ${computed.text}, which may set any variable (PATH included)`);
      return this.runScript(head.text, [head.text, ...args.map((w) => `'${w.text.replaceAll("'", "'\\''")}'`)].join(" "));
    }
    const handler = BINARIES[program.name];
    if (handler) return handler({ name: program.name, args: words.slice(1), source, facts: this });
    if (READ_ONLY.has(program.name)) return;
    this.unverifiable(program.name, "not a command gatehouse knows (only known programs, and known read-only ones, can be judged)");
  }

  /** Analyses shell text a command hands to a shell (`sh -c '...'`, `eval`, `su -c`). */
  runScript(command: string, text: string): void {
    if (this.depth >= MAX_DEPTH) return this.unverifiable(command, `shell code nested more than ${MAX_DEPTH} levels deep`);
    const inner = new FactsBuilder(this.parser, this.depth + 1, this.cwd);
    inner.analyze(text);
    merge(this.facts, inner.facts);
  }

  analyze(text: string): void {
    const script = parseScript(this.parser, text);
    for (const problem of script.problems) this.unverifiable(problem.command, problem.reason);
    for (const item of script.items) {
      if (item.kind === "redirect") {
        if (isWriteRedirect(item.op, item.target)) this.write(item.op, item.target);
        continue;
      }
      const [head, ...rest] = item.words;
      if (head?.literal && (head.text === "cd" || head.text === "pushd" || head.text === "popd")) {
        this.changeDirectory(head.text, rest, item.isolated);
        continue;
      }
      this.run(item.words, item.source);
    }
  }

  private changeDirectory(name: string, args: Word[], isolated: boolean): void {
    const target = args.filter((a) => !(a.literal && /^-[LPe@]+$/.test(a.text)))[0];
    // A cd in a subshell, a pipeline or the background, a computed one, `cd -`, `~` or popd: later
    // relative paths cannot be placed.
    if (isolated || name !== "cd" || target === undefined || !target.literal || target.text === "-" || target.text.startsWith("~")) {
      this.cwd = null;
      return;
    }
    const next = this.resolve(target.text);
    if (next !== "") this.cwd = next;
  }

  private program(word: string): { kind: "known"; name: string } | { kind: "init-script"; name: string; unit: string } | { kind: "unknown"; name: string } {
    if (!word.includes("/")) return { kind: "known", name: word };
    const path = this.resolve(word);
    if (path === null || !path.startsWith("/")) return { kind: "unknown", name: word };
    const dir = posix.dirname(path);
    const base = posix.basename(path);
    if (INIT_SCRIPT_DIRS.has(dir)) return { kind: "init-script", name: path, unit: base };
    return SYSTEM_BIN_DIRS.has(dir) ? { kind: "known", name: base } : { kind: "unknown", name: word };
  }
}

/** `>`, `>>`, `>|`, `&>`, `&>>`, `<>` write; `>&` writes unless it duplicates a descriptor. */
function isWriteRedirect(op: string, target: Word): boolean {
  if (op === ">&") return !(target.literal && /^(\d+|-)$/.test(target.text));
  return op === ">" || op === ">>" || op === ">|" || op === "&>" || op === "&>>" || op === "<>";
}

function merge(into: CommandFacts, from: CommandFacts): void {
  into.mutating ||= from.mutating;
  into.writes.push(...from.writes);
  into.reaches.push(...from.reaches);
  into.services.push(...from.services);
  into.streams.push(...from.streams);
  into.categories.push(...from.categories);
  into.unverifiable.push(...from.unverifiable);
}

function finish(facts: CommandFacts): CommandFacts {
  for (const path of facts.writes) if (/^\/etc\/sudoers/.test(path)) facts.categories.push("user-permissions");
  const unverifiable = new Map(facts.unverifiable.map((u) => [`${u.command}\0${u.reason}`, u]));
  const services = new Map(facts.services.map((s) => [`${s.verb}\0${s.unit}`, s]));
  const result: CommandFacts = {
    mutating: facts.mutating,
    writes: [...new Set(facts.writes)],
    reaches: [...new Set(facts.reaches)].filter((path) => !facts.writes.includes(path)),
    services: [...services.values()],
    streams: [...new Set(facts.streams)],
    categories: [...new Set(facts.categories)].sort(),
    unverifiable: [...unverifiable.values()],
  };
  if (result.writes.length > 0 || result.services.length > 0 || result.streams.length > 0 || result.categories.length > 0 || result.unverifiable.length > 0) result.mutating = true;
  return result;
}

/** An analyser bound to the loaded shell grammar (load once, analyse many). */
export async function commandAnalyzer(): Promise<(command: string) => CommandFacts> {
  const parser = await shellParser();
  return (command: string) => {
    const builder = new FactsBuilder(parser, 0);
    builder.analyze(command);
    return finish(builder.facts);
  };
}

export async function analyzeCommand(command: string): Promise<CommandFacts> {
  return (await commandAnalyzer())(command);
}
