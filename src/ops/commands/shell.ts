// Shell syntax through the tree-sitter Bash grammar (web-tree-sitter + the .wasm that the
// tree-sitter-bash package ships), reduced to what the command facts need: every simple command
// (wherever it sits: lists, pipelines, subshells, groups, if/for/while/case bodies, functions,
// command and process substitutions, heredoc bodies) with its words, and every file redirection,
// in document order. A word is literal when the shell gives it one known value (quotes and
// backslashes removed); any expansion or substitution makes it computed. Syntax the grammar
// cannot parse is reported, never guessed around.

import type { Node, Parser } from "web-tree-sitter";
import { treeSitterParser } from "../../core/tree-sitter.js";

export interface Word {
  /** the value when literal, else the source text */
  text: string;
  literal: boolean;
}

export interface SimpleCommand {
  kind: "command";
  words: Word[];
  /** the command's source text */
  source: string;
  /** runs in a subshell, a pipeline, a substitution or the background: its `cd` stays there */
  isolated: boolean;
}

export interface Redirection {
  kind: "redirect";
  /** the operator: > >> >| &> &>> <> >& < <& ... */
  op: string;
  target: Word;
  isolated: boolean;
}

export interface Script {
  items: (SimpleCommand | Redirection)[];
  /** what makes (part of) the text unanalysable: the construct and why */
  problems: { command: string; reason: string }[];
}

const BASH_WASM = "tree-sitter-bash/tree-sitter-bash.wasm";
/** The `command` of a syntax problem (what ALLOWED_COMMANDS would have to name). */
const SYNTAX = "(shell syntax)";

let parserPromise: Promise<Parser> | undefined;

/** One parser per process: loading the grammar wasm is the expensive part. */
export function shellParser(): Promise<Parser> {
  parserPromise ??= treeSitterParser(BASH_WASM);
  return parserPromise;
}

/** Parses one command line (or script) with a loaded parser. */
export function parseScript(parser: Parser, text: string): Script {
  const tree = parser.parse(text);
  if (!tree) return { items: [], problems: [{ command: SYNTAX, reason: "the shell parser gave no result" }] };
  try {
    const script: Script = { items: [], problems: [] };
    visit(tree.rootNode, false, script);
    // A missing token (an unclosed quote, `if` without `fi`) is not always a visited node.
    if (tree.rootNode.hasError && script.problems.length === 0) script.problems.push({ command: SYNTAX, reason: "the command does not parse as shell" });
    return script;
  } finally {
    tree.delete();
  }
}

// Variables that change which program a name runs, or what a shell runs before it.
// CDPATH changes the directory a relative `cd` goes to, so the paths after it.
export const LOOKUP_VARIABLES = new Set(["PATH", "CDPATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "BASH_ENV", "ENV", "IFS", "SHELLOPTS", "BASHOPTS", "PROMPT_COMMAND", "PS4"]);

// Variables that name a command a known program runs (a pager, an editor, an ssh or diff
// program), or options and configuration it reads (TAR_OPTIONS=--to-command=..., GIT_CONFIG_*,
// GIT_DIR and GIT_WORK_TREE): `GIT_PAGER='rm -rf /etc' git log` runs rm, not a read-only git.
const COMMAND_VARIABLES =
  /^(PAGER|MANPAGER|EDITOR|VISUAL|LESS|LESSOPEN|LESSCLOSE|LESSKEY|TAR_OPTIONS|RSYNC_RSH|RSYNC_CONNECT_PROG|GZIP|XZ_OPT|XZ_DEFAULTS|ZSTD_CLEVEL|BZIP2|WGETRC|CURL_HOME|SYSTEMD_EDITOR|SYSTEMD_PAGER|SYSTEMD_PAGERSECURE|NODE_OPTIONS|PYTHONSTARTUP|PYTHONPATH|PYTHONHOME|PERL5OPT|PERL5LIB|PERLLIB|RUBYOPT|RUBYLIB|BROWSER)$|^GIT_|_PAGER$|_EDITOR$|ASKPASS$|^SSH_ASKPASS/;

/** Whether setting `name` can change what a later command runs (PATH to system directories only cannot). */
export function isLookupVariable(name: string, value?: Word): boolean {
  if (name === "PATH" && value !== undefined && systemPath(value)) return false;
  return LOOKUP_VARIABLES.has(name) || COMMAND_VARIABLES.test(name);
}

// Directories whose programs are the standard ones: /usr/bin/rm is rm; /opt/x/rm is not.
export const SYSTEM_BIN_DIRS = new Set(["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"]);

/** A PATH made only of the system directories keeps every name meaning the standard program. */
export function systemPath(value: Word): boolean {
  return value.literal && value.text.split(":").every((dir) => SYSTEM_BIN_DIRS.has(dir.replace(/\/+$/, "")));
}

// Nodes whose commands run apart from the commands after them (a `cd` inside does not carry on).
const ISOLATING = new Set(["subshell", "pipeline", "command_substitution", "process_substitution"]);

/**
 * Walks the tree. `certain`: this command runs only when everything before it in its `&&` chain
 * succeeded, and what follows it in the chain runs only when it succeeds; only such a `cd` places
 * the commands after it. Any other `cd` (after `;`, in a function or an `if`, beside `||` or `!`)
 * may not run or may fail while the rest runs in the directory before it, so it is isolated, and
 * the end of a chain whose `cd` was certain leaves the directory unknown again.
 */
function visit(node: Node, isolated: boolean, script: Script, certain = false): void {
  // Not shell: said so, and the commands the parser still recognised inside are judged too.
  if (node.isError || node.isMissing) script.problems.push({ command: SYNTAX, reason: `the text near ${JSON.stringify(node.text.slice(0, 40))} does not parse as shell` });
  const inner = isolated || ISOLATING.has(node.type);
  if (node.type === "variable_assignment") {
    // `PATH[0]=/srv/tools` sets PATH as well: an element of a name is the name.
    const nameNode = node.childForFieldName("name");
    const name = (nameNode?.type === "subscript" ? nameNode.childForFieldName("name")?.text : nameNode?.text) ?? "";
    const value = node.childForFieldName("value");
    if (isLookupVariable(name, value ? wordOf(value) : undefined)) script.problems.push({ command: `${name}=`, reason: `it sets ${name}, so the programs it names may be other programs` });
  }
  if (node.type === "declaration_command") declarationProblems(node, script);
  if (node.type === "unset_command") {
    for (const child of node.namedChildren) {
      const word = child ? wordOf(child) : undefined;
      if (word && (!word.literal || isLookupVariable(word.text))) script.problems.push({ command: "unset", reason: `it unsets ${word.text}, so the programs names run may be other programs (an unset PATH searches the current directory)` });
      const subscript = word?.literal ? nameSubscriptProblem(word.text) : undefined;
      if (subscript) script.problems.push({ command: ARITHMETIC, reason: `unset ${subscript}` });
    }
  }
  const arithmetic = arithmeticOperands(node);
  if (arithmetic.some(unknownArithmetic)) {
    script.problems.push({ command: ARITHMETIC, reason: `arithmetic on text or a variable whose value the log does not show (${JSON.stringify(node.text.slice(0, 40))}): bash evaluates it, and an array subscript in it runs commands ($(...))` });
  }
  if (node.type === "expansion") {
    const evaluated = evaluatingExpansion(node);
    if (evaluated) script.problems.push({ command: ARITHMETIC, reason: `${evaluated} (${JSON.stringify(node.text.slice(0, 40))})` });
  }
  if (node.type === "array") {
    // `b=([x]=1)`: the index of an indexed array's element is arithmetic, as in `b[x]=1`.
    for (const element of node.namedChildren) {
      const index = element ? /^\[([^\]]*)\]\+?=/.exec(element.text)?.[1] : undefined;
      if (index !== undefined && !SAFE_SUBSCRIPT.test(index)) {
        script.problems.push({ command: ARITHMETIC, reason: `the array index [${index}] is arithmetic on text or a variable whose value the log does not show: bash evaluates it, and an array subscript in it runs commands ($(...))` });
      }
    }
  }
  if (node.type === "command") {
    const words: Word[] = [];
    const name = node.childForFieldName("name");
    if (name) words.push(wordOf(name));
    for (const argument of node.childrenForFieldName("argument")) if (argument) words.push(wordOf(argument));
    const cd = words[0]?.literal === true && words[0].text === "cd";
    script.items.push({ kind: "command", words, source: node.text, isolated: inner || (cd && !certain) });
    // Substitutions inside the words (and prefix redirections) run too.
    for (const child of node.namedChildren) if (child) visit(child, true, script);
    return;
  }
  if (node.type === "file_redirect") {
    const destination = node.childForFieldName("destination");
    const op = node.children.find((child) => child !== null && !child.isNamed)?.type ?? ">";
    if (destination) script.items.push({ kind: "redirect", op, target: wordOf(destination), isolated: inner });
    for (const child of node.namedChildren) if (child) visit(child, true, script);
    return;
  }
  if (node.type === "list") return visitChain(node, inner, script);
  // A background job (`cmd &`) runs beside what follows.
  const background = node.children.some((child) => child?.type === "&");
  // `cd DIR 2>/dev/null && ...`: the redirection does not change what the cd is.
  const through = certain && node.type === "redirected_statement" && !background;
  for (const child of node.namedChildren) if (child) visit(child, inner || background, script, through && child.type === "command");
}

/** `a && b || c`: its operands in order, and the operators between them. */
function chainOf(node: Node, operands: Node[], operators: string[]): void {
  for (const child of node.children) {
    if (!child) continue;
    if (child.type === "&&" || child.type === "||") operators.push(child.type);
    else if (child.isNamed && child.type === "list") chainOf(child, operands, operators);
    else if (child.isNamed) operands.push(child);
  }
}

function visitChain(node: Node, isolated: boolean, script: Script): void {
  const operands: Node[] = [];
  const operators: string[] = [];
  chainOf(node, operands, operators);
  let placed = false;
  let onlyAnd = true;
  // What follows a `||` after a cd, and what follows the chain, may run where the cd did not go.
  const unplace = (): void => {
    if (placed) script.items.push({ kind: "command", words: [{ text: "cd", literal: true }], source: node.text, isolated: true });
    placed = false;
  };
  operands.forEach((operand, i) => {
    if (operators[i - 1] === "||") {
      unplace();
      onlyAnd = false;
    }
    const certain = onlyAnd && operators[i] === "&&" && (operand.type === "command" || operand.type === "redirected_statement");
    const from = script.items.length;
    visit(operand, isolated, script, certain);
    if (script.items.slice(from).some((item) => item.kind === "command" && !item.isolated && item.words[0]?.text === "cd")) placed = true;
  });
  unplace();
}

/** The `command` of an arithmetic problem (what ALLOWED_COMMANDS would have to name). */
export const ARITHMETIC = "(shell arithmetic)";

/** Subscripts bash never evaluates as an expression that could hold a `$(...)`: numbers, `@`, `*`. */
const SAFE_SUBSCRIPT = /^\s*(\d+|@|\*)\s*$/;

/**
 * Why a variable name handed to a builtin (`printf -v NAME`, `read NAME`, `test -v NAME`,
 * `unset NAME`, `declare NAME=...`) is unsafe, or undefined: bash evaluates the subscript of
 * `a[EXPR]` as arithmetic, and a `$(...)` in it, or in the value of a variable it names, runs:
 * `printf -v 'a[$(rm -rf /etc)]' x` runs rm, though every word is literal.
 */
export function nameSubscriptProblem(name: string): string | undefined {
  const open = name.indexOf("[");
  if (open === -1) return undefined;
  const close = name.lastIndexOf("]");
  const subscript = close > open ? name.slice(open + 1, close) : name.slice(open + 1);
  if (SAFE_SUBSCRIPT.test(subscript)) return undefined;
  return `names ${name}, whose subscript bash evaluates as arithmetic (an array subscript in it runs commands: $(...))`;
}

/**
 * What makes a parameter expansion evaluate text the log does not show, or undefined:
 * a substring's offset and length are arithmetic (`${v:x}`, with x = 'a[$(rm -rf /etc)]'),
 * an indirect expansion `${!x}` expands the variable x names (its subscript evaluated), and
 * `${x@P}` expands x's value as a prompt, running its command substitutions.
 */
function evaluatingExpansion(node: Node): string | undefined {
  const children = node.children.filter((c): c is Node => c !== null);
  const colon = children.findIndex((c) => !c.isNamed && c.type === ":");
  if (colon !== -1 && children.slice(colon + 1).some((c) => c.isNamed && unknownArithmetic(c))) {
    return "a substring offset or length that is arithmetic on text or a variable whose value the log does not show: bash evaluates it, and an array subscript in it runs commands ($(...))";
  }
  const at = children.findIndex((c) => !c.isNamed && c.type === "@");
  if (at !== -1 && children[at + 1]?.text === "P") return "${NAME@P} expands the value as a prompt, which runs the command substitutions in it";
  if (children[1] && !children[1].isNamed && children[1].type === "!") {
    const target = children[2];
    const next = children[3];
    // ${!prefix*}, ${!prefix@}: the names that start with prefix; ${!a[@]}, ${!a[*]}: a's keys.
    const listsNames = next !== undefined && !next.isNamed && (next.type === "*" || next.type === "@");
    const listsKeys = target?.type === "subscript" && /^(@|\*)$/.test(target.childForFieldName("index")?.text ?? "") && next?.type === "}";
    if (!listsNames && !listsKeys) return "an indirect expansion ${!NAME} expands the variable NAME's value names, whose subscript bash evaluates as arithmetic (an array subscript in it runs commands: $(...))";
  }
  return undefined;
}

// `export "PATH=/x"`, `export PA\TH=/x` and `declare -n ref=PATH; ref=/x` set PATH too, though no
// variable_assignment names it: the arguments of export/declare/local/readonly/typeset are read
// as the builtin reads them, a nameref (-n) makes any later name another, and a computed
// argument could be any assignment.
function declarationProblems(node: Node, script: Script): void {
  const keyword = node.children[0]?.type ?? "declare";
  for (const child of node.namedChildren) {
    if (!child || child.type === "variable_assignment" || child.type === "variable_name") continue;
    const word = wordOf(child);
    if (!word.literal) {
      script.problems.push({ command: keyword, reason: `${keyword} with a computed argument ${word.text}, which may set any variable (PATH included)` });
      continue;
    }
    if (/^[-+][A-Za-z]*n/.test(word.text)) {
      script.problems.push({ command: keyword, reason: `${keyword} ${word.text} makes a name refer to another variable, so a later assignment may set PATH or the like` });
      continue;
    }
    // The integer attribute makes every assignment to the name arithmetic, later ones included:
    // `declare -i n; n='a[$(rm -rf /etc)]'` runs rm.
    if (/^-[A-Za-z]*i/.test(word.text)) {
      script.problems.push({ command: ARITHMETIC, reason: `${keyword} ${word.text} gives a name the integer attribute, so every value assigned to it is evaluated as arithmetic (an array subscript in it runs commands: $(...))` });
      continue;
    }
    const assigned = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?\+?=(.*)$/s.exec(word.text);
    if (assigned && isLookupVariable(assigned[1]!, { text: assigned[3]!, literal: true })) {
      script.problems.push({ command: `${assigned[1]}=`, reason: `it sets ${assigned[1]}, so the programs it names may be other programs` });
    }
    const subscript = nameSubscriptProblem(assigned ? `${assigned[1]}${assigned[2] ?? ""}` : word.text);
    if (subscript) script.problems.push({ command: ARITHMETIC, reason: `${keyword} ${subscript}` });
  }
}

const ARITHMETIC_TEST_OPERATORS = new Set(["-eq", "-ne", "-lt", "-le", "-gt", "-ge"]);

/**
 * The operands bash evaluates as arithmetic in `node`, when it is such a context: `(( ))`,
 * `$(( ))`, a C-style for's header, an array subscript, and the operands of `[[ ]]`'s -eq ...
 * -ge and -v. Arithmetic evaluates a variable's value, and the subscripts in it, as an
 * expression, and a subscript's `$(...)` runs: `[[ 'a[$(rm -rf /etc)]' -eq 0 ]]` runs rm.
 */
function arithmeticOperands(node: Node): Node[] {
  switch (node.type) {
    case "arithmetic_expansion":
      return node.namedChildren.filter((c): c is Node => c !== null);
    case "compound_statement":
      return node.children[0]?.type === "((" ? node.namedChildren.filter((c): c is Node => c !== null) : [];
    case "c_style_for_statement":
      return ["initializer", "condition", "update"].flatMap((field) => node.childrenForFieldName(field)).filter((c): c is Node => c !== null);
    case "subscript": {
      const index = node.childForFieldName("index");
      return index ? [index] : [];
    }
    case "test_command": {
      const operands: Node[] = [];
      const walk = (n: Node): void => {
        if (n.type === "binary_expression" && ARITHMETIC_TEST_OPERATORS.has(n.childForFieldName("operator")?.text ?? "")) {
          for (const side of [n.childForFieldName("left"), n.childForFieldName("right")]) if (side) operands.push(side);
          return;
        }
        if (n.type === "unary_expression" && n.childForFieldName("operator")?.text === "-v") {
          for (const c of n.namedChildren) if (c && c.type !== "test_operator") operands.push(c);
          return;
        }
        if (n.type === "command_substitution" || n.type === "process_substitution") return;
        for (const c of n.namedChildren) if (c) walk(c);
      };
      walk(node);
      return operands;
    }
    default:
      return [];
  }
}

// $? $# $$ $! are numbers whatever happened; `@` and `*` subscripts are not arithmetic.
const NUMERIC_SPECIAL = /^\$[?#$!]$|^\$\{[?#$!]\}$/;

/** Whether an arithmetic operand holds anything but numbers, operators and numeric specials. */
function unknownArithmetic(node: Node): boolean {
  switch (node.type) {
    case "number":
    case "test_operator":
      return false;
    case "simple_expansion":
    case "expansion":
      return !NUMERIC_SPECIAL.test(node.text);
    case "word":
      return !/^(\d+|0[xX][0-9a-fA-F]+|@|\*)$/.test(node.text);
    case "command_substitution":
    case "process_substitution":
      // Its commands are judged as commands; what it prints is evaluated, and unknown.
      return true;
    case "variable_name":
    case "raw_string":
    case "string":
    case "ansi_c_string":
    case "translated_string":
    case "concatenation":
      return true;
    default:
      return node.namedChildren.some((child) => child !== null && unknownArithmetic(child));
  }
}

/** The shell value of a word node, or its source text when it holds an expansion. */
export function wordOf(node: Node): Word {
  switch (node.type) {
    case "command_name": {
      const only = node.namedChildren[0];
      return only ? wordOf(only) : { text: node.text, literal: false };
    }
    case "word":
      return braceExpansion(node.text) || tildeExpansion(node.text) ? { text: node.text, literal: false } : { text: unescapeWord(node.text), literal: true };
    case "number":
      return { text: node.text, literal: true };
    case "raw_string":
      return { text: node.text.slice(1, -1), literal: true };
    case "string": {
      // Double quotes: literal only when every part is plain content.
      let text = "";
      for (const part of node.namedChildren) {
        if (!part || part.type !== "string_content") return { text: node.text, literal: false };
        text += part.text.replace(/\\([$`"\\\n])/g, "$1");
      }
      return { text, literal: true };
    }
    case "concatenation": {
      // Brace expansion ({a,b}, {1..3}) spans the unquoted parts: one word becomes several.
      const unquoted = node.namedChildren.map((part) => (part?.type === "word" ? part.text : "\0")).join("");
      if (braceExpansion(unquoted) || tildeExpansion(unquoted)) return { text: node.text, literal: false };
      let text = "";
      for (const part of node.namedChildren) {
        if (!part) continue;
        const value = wordOf(part);
        if (!value.literal) return { text: node.text, literal: false };
        text += value.text;
      }
      return { text, literal: true };
    }
    case "ansi_c_string": {
      // $'...' with no escapes is plain text; escapes (\x72) are not decoded, so they count as computed.
      const body = node.text.slice(2, -1);
      return body.includes("\\") ? { text: node.text, literal: false } : { text: body, literal: true };
    }
    default:
      // simple_expansion, expansion, command_substitution, process_substitution,
      // arithmetic_expansion, translated_string, brace_expression ...: a value only the run knows.
      return { text: node.text, literal: false };
  }
}

/**
 * Unquoted text the shell would tilde-expand: `~`, `~/x`, `~root/x`, `~+` ($PWD), `~-` ($OLDPWD) at
 * the start, and, as bash reads a word that looks like an assignment (`dd of=~/x`, `X=a:~/b`),
 * after its `=` or a `:`. A home or previous directory the log does not show: `cd deploy/nginx &&
 * tee ~/.bashrc` was judged as deploy/nginx/~/.bashrc.
 */
function tildeExpansion(unquoted: string): boolean {
  return /^~/.test(unquoted) || /^[A-Za-z_][A-Za-z0-9_]*=(?:[\s\S]*:)?~/.test(unquoted);
}

/** Unquoted text the shell would brace-expand into several words. */
function braceExpansion(unquoted: string): boolean {
  return /\{[^{}\s]*(,|\.\.)[^{}\s]*\}/.test(unquoted.replace(/\\./g, "_"));
}

/** An unquoted word's value: a backslash quotes the next character; backslash-newline vanishes. */
function unescapeWord(text: string): string {
  return text.replace(/\\(\n|.)/g, (_, c: string) => (c === "\n" ? "" : c));
}
