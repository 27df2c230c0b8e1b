// The adapter behind every format conftest parses and gatehouse does not parse in-process: the
// files go, in one request per format, to the `parse-inputs` command of gatehouse's Go toolchain
// module, which runs conftest's own `parser` package (tools/wasm/inputs.go) on the bytes the gate
// read and hashed. What comes back is the document `conftest test` evaluates, or conftest's error
// for that file, which denies it (input/unparsable); nothing is ever parsed as another format.

import { ToolchainError } from "../../core/errors.js";
import { dirname, relative, resolve, sep } from "node:path";
import { commonDirectory } from "../../core/paths.js";
import { InputParseError, type BatchFile, type BatchOptions, type BatchParsed, type BatchParser } from "./types.js";

export function conftestParser(name: string): BatchParser {
  return {
    batch: true,
    conftestName: name,
    parseFiles: (files, options) => parseWithConftest(name, files, options),
  };
}

async function parseWithConftest(name: string, files: readonly BatchFile[], options: BatchOptions): Promise<BatchParsed[]> {
  if (files.length === 0) return [];
  // The module sees one directory: the deepest one holding every file (and the .proto
  // directories), so jsonnet imports and textproto types resolve as conftest resolves them there.
  const located = files.map((file) => (file.path === "-" ? undefined : resolve(file.path)));
  const protoDirs = (options.protoFileDirs ?? []).map((dir) => resolve(dir));
  const root = commonDirectory([...located.flatMap((path) => (path === undefined ? [] : [dirname(path)])), ...protoDirs]) ?? process.cwd();
  const guestPath = (abs: string) => relative(root, abs).split(sep).join("/") || ".";
  // Loaded on first use: worker threads and JSON/YAML-only runs never load the toolchain.
  const { inputToolchain } = await import("../../toolchain/index.js");
  const { formatToolErrors } = await import("../../toolchain/protocol.js");
  const { ToolCrashError, ToolTimeoutError } = await import("../../toolchain/wasi.js");
  const tools = await inputToolchain();
  const request = async (indices: number[]): Promise<BatchParsed[]> => {
    let response;
    try {
      response = await tools.request(
        "parse-inputs",
        {
          parser: name,
          // stdin has no directory of its own: its imports resolve from the root.
          files: indices.map((i) => ({ path: located[i] === undefined ? "stdin" : guestPath(located[i]!), contents: Buffer.from(files[i]!.bytes).toString("base64") })),
          ...(protoDirs.length > 0 ? { protoFileDirs: protoDirs.map(guestPath) } : {}),
        },
        { root, ...(options.timeoutMs !== undefined ? { deadlineMs: options.timeoutMs } : {}) },
      );
    } catch (error) {
      // The module died (a fatal Go error no recover catches, such as a stack overflow in a
      // parser) or ran past the deadline (a jsonnet input that computes forever): halve the
      // batch until the file that does it is alone, and refuse that one.
      const timedOut = error instanceof ToolTimeoutError;
      if (!(error instanceof ToolCrashError) && !timedOut) throw error;
      if (indices.length === 1) {
        const what = timedOut ? `did not finish within ${options.timeoutMs} ms on this file` : `crashed on this file: ${firstLine(error.message)}`;
        return [{ ok: false, error: new InputParseError(`${name}: the parser ${what}`) }];
      }
      const half = Math.ceil(indices.length / 2);
      return [...(await request(indices.slice(0, half))), ...(await request(indices.slice(half)))];
    }
    if (!response.ok) {
      const error = new InputParseError(`${name}: ${formatToolErrors(response.errors)}`);
      return indices.map(() => ({ ok: false, error }));
    }
    if (response.result.documents.length !== indices.length) {
      throw new ToolchainError(`parse-inputs answered ${response.result.documents.length} documents for ${indices.length} files`);
    }
    return response.result.documents.map((parsed, i): BatchParsed => {
      if (parsed.error !== undefined) return { ok: false, error: new InputParseError(`${name}: ${parsed.error}`) };
      const document = parsed.document ?? null;
      const rounded = roundedNumber(document);
      if (rounded !== undefined) {
        return { ok: false, error: new InputParseError(`${name}: the number at ${rounded.at} is ${rounded.value}, past 2^53: conftest holds such an integer exactly (TOML, CUE...), gatehouse as a double, so readers could judge different numbers; write fewer digits, or a string`) };
      }
      // A leading BOM the parser kept is in the document as text; other parsers skip or refuse it.
      const bytes = files[indices[i]!]!.bytes;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        const kept = textWithByteOrderMark(document);
        if (kept !== undefined) {
          return { ok: false, error: new InputParseError(`${name}: the file starts with a UTF-8 byte order mark, which conftest's ${name} parser keeps as text (${kept}) where readers of the format skip it, so a policy would judge a name or value no reader sees; remove the mark`) };
        }
      }
      return { ok: true, document };
    });
  };
  return request(files.map((_, i) => i));
}

function firstLine(text: string): string {
  return text.split("\n")[0]!;
}

/**
 * Where a document holds U+FEFF, the byte order mark a file began with, as text: HOCON's first
 * key (`\ufeffa`, so `input.a` is undefined where Typesafe Config reads `a`), an ignore file's
 * first pattern (git and BuildKit skip the mark). undefined when no key or string holds it.
 */
function textWithByteOrderMark(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, ""]];
  while (stack.length > 0) {
    const [value, at] = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\ufeff")) return `the string ${shown(value)} at ${at === "" ? "the root" : at}`;
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      if (key.includes("\ufeff")) return `the key ${shown(key)}`;
      stack.push([child, `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`]);
    }
  }
  return undefined;
}

/** Text in a message, the invisible mark spelled out. */
function shown(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return JSON.stringify(short).replaceAll("\ufeff", "\\ufeff");
}

/**
 * The first number of a document from the toolchain that JSON.parse may have rounded: an
 * integer past 2^53 (an int64 from conftest's parser, written exactly by Go, read here as a
 * double). A float64 that large is flagged too; it cannot be told apart, and is rare in configs.
 */
function roundedNumber(root: unknown): { at: string; value: number } | undefined {
  const stack: [unknown, string][] = [[root, ""]];
  while (stack.length > 0) {
    const [value, at] = stack.pop()!;
    if (typeof value === "number") {
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) return { at: at === "" ? "the root" : at, value };
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    for (const [key, child] of Object.entries(value)) stack.push([child, `${at}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`]);
  }
  return undefined;
}
