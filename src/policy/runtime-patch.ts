// Set lookups by identity: a load-time fast path in two functions of OPA's wasm runtime library.
//
// Why: OPA's wasm runtime iterates a set by asking, for each step, where the previous element
// is, which hashes that element (opa_value_iter), and the planner then looks the element up in
// the set to get its value (opa_value_get), which hashes it again. For a set of objects (the
// usual `containers contains c if ...` helper of Kubernetes policies) every step hashes a whole
// container object twice: about half of the evaluation time of such a policy (docs/performance.md).
//
// What: before the original body of each function runs, a prologue handles a small set (at most
// MAX_BUCKETS buckets) by scanning its buckets for the very element pointer it was given, which
// is what the planner and the runtime pass when they iterate: the pointer the previous step
// returned. Found: the same answer the original computes (the element itself for opa_value_get;
// the element after it, in bucket order, for opa_value_iter). Not found (an equal value at
// another address, a large set, any other type): the original body runs unchanged. A set never
// holds two equal values, so the element found by identity is the one the original finds by
// hash and comparison.
//
// Safety: the patch applies only to runtimes whose three functions it reads are byte for byte
// the ones it was written against (KNOWN_RUNTIMES, by sha256, which also pins the set layout
// the prologue reads); anything else is evaluated unpatched. The bundle on disk stays exactly
// what `opa build` produced (its digest is verified before this runs).
// test/runtime-patch.test.ts compares patched and unpatched evaluation.

import { createHash } from "node:crypto";

/** Buckets scanned at most: sets of up to 22 elements (OPA grows a set at a load factor of 0.7). */
export const MAX_BUCKETS = 32;

/** sha256 of the code bodies of opa_set_get, opa_value_get and opa_value_iter, per runtime. */
const KNOWN_RUNTIMES: Record<string, string> = {
  // OPA 1.22.0
  "opa-1.22.0": "92053cbc139b1a1ab482a7a03fd862f875b4e09bdeb625ed7a17e1ee217b62bb",
};

export interface PatchResult {
  wasm: Uint8Array<ArrayBuffer>;
  /** why the module was left as it was, when it was */
  skipped?: string;
  patched: string[];
  /** the runtime's native builtins whose errors the policy's calls raise (strict-natives.ts; set by evaluationWasm) */
  checkedNatives?: string[];
  /** sets and objects iterated in sorted order, as topdown iterates them (sorted-iteration.ts; set by evaluationWasm) */
  sortedIteration?: boolean;
  /** lookups in base data that convert their keys as topdown does (base-data-keys.ts) */
  baseDataLookups?: number;
  /** the other lookups, which read an array's index as topdown does (base-data-keys.ts) */
  valueLookups?: number;
}

const SET = 7;

/** The functions the fingerprint covers: the two patched, and opa_set_get for the set layout. */
const FINGERPRINTED = ["opa_set_get", "opa_value_get", "opa_value_iter"] as const;

/** Applies the set-lookup fast path, or explains why not. Never throws on an unexpected module. */
export function patchSetLookups(wasm: Uint8Array): PatchResult {
  let module: ParsedModule;
  try {
    module = parseModule(wasm);
  } catch (error) {
    return { wasm: new Uint8Array(wasm), patched: [], skipped: `unreadable module: ${(error as Error).message}` };
  }
  const edits = setLookupEdits(wasm, module);
  if ("skipped" in edits) return { wasm: new Uint8Array(wasm), patched: [], skipped: edits.skipped };
  return { wasm: rebuildCode(wasm, module, edits.replacements), patched: edits.patched };
}

/**
 * The set-lookup fast path as code-body replacements (by defined-function index) of a parsed
 * module, for composing with other rewrites in one rebuild; or why it does not apply.
 */
export function setLookupEdits(
  wasm: Uint8Array,
  module: ParsedModule,
  options: { iteration?: boolean } = {},
): { replacements: Map<number, Uint8Array>; patched: string[] } | { skipped: string } {
  const missing = FINGERPRINTED.find((name) => !bodyOf(module, name));
  if (missing) return { skipped: `the runtime has no ${missing}` };
  const fingerprint = fingerprintOf(wasm, module)!;
  if (!Object.values(KNOWN_RUNTIMES).includes(fingerprint)) {
    return { skipped: `unknown runtime (fingerprint ${fingerprint.slice(0, 12)})` };
  }
  const replacements = new Map<number, Uint8Array>();
  // opa_value_iter as the runtime's own unordered iterations call it (membership, set algebra);
  // the calls whose order shows go to sorted iteration instead (sorted-iteration.ts).
  // `iteration: false` leaves opa_value_iter as it is.
  const patches = options.iteration === false ? ([["opa_value_get", getPrologue]] as const) : ([["opa_value_get", getPrologue], ["opa_value_iter", iterPrologue]] as const);
  for (const [name, prologue] of patches) {
    const index = module.functionNames.get(name)! - module.importedFunctions;
    replacements.set(index, withPrologue(wasm, module.bodies[index]!, 2, prologue));
  }
  return { replacements, patched: patches.map(([name]) => name) };
}

/** The fingerprint of a module's runtime functions (for adding a runtime to KNOWN_RUNTIMES). */
export function runtimeFingerprint(wasm: Uint8Array): string | undefined {
  return fingerprintOf(wasm, parseModule(wasm));
}

/** Where a function's code body (locals and code, after its size) lies, by its name-section name. */
export function functionBody(wasm: Uint8Array, name: string): Range | undefined {
  return bodyOf(parseModule(wasm), name);
}

function bodyOf(module: ParsedModule, name: string): Range | undefined {
  const index = module.functionNames.get(name);
  return index === undefined ? undefined : module.bodies[index - module.importedFunctions];
}

function fingerprintOf(wasm: Uint8Array, module: ParsedModule): string | undefined {
  const bodies: Uint8Array[] = [];
  for (const name of FINGERPRINTED) {
    const body = bodyOf(module, name);
    if (!body) return undefined;
    bodies.push(wasm.subarray(body.start, body.end));
  }
  return sha256Of(bodies);
}

function sha256Of(parts: Uint8Array[]): string {
  const hash = createHash("sha256");
  for (const part of parts) {
    hash.update(String(part.byteLength) + ":");
    hash.update(part);
  }
  return hash.digest("hex");
}

// --- the prologues ---------------------------------------------------------------------------
// Both functions take (node, key) as locals 0 and 1. The prologue's own locals come after the
// function's: n (bucket count), i (bucket index), e (element).

export interface PrologueLocals {
  n: number;
  i: number;
  e: number;
}

/**
 * if node is a set with n <= MAX_BUCKETS buckets:
 *   for i in 0..n, for e in bucket i: if e.v == key: <found>
 * then fall through to the original body.
 */
function scanPrologue(a: Assembler, l: PrologueLocals, found: (a: Assembler) => void): void {
  a.block("skip");
  a.localGet(0).op(OP.i32_eqz).brIf("skip");
  a.localGet(0).load8u(0).i32Const(SET).op(OP.i32_ne).brIf("skip");
  a.localGet(1).op(OP.i32_eqz).brIf("skip");
  a.localGet(0).load(8).localTee(l.n).i32Const(MAX_BUCKETS).op(OP.i32_gt_u).brIf("skip");
  a.i32Const(0).localSet(l.i);
  a.block("buckets_done").loop("buckets");
  a.localGet(l.i).localGet(l.n).op(OP.i32_ge_u).brIf("buckets_done");
  a.localGet(0).load(4).localGet(l.i).i32Const(2).op(OP.i32_shl).op(OP.i32_add).load(0).localSet(l.e);
  a.block("chain_done").loop("chain");
  a.localGet(l.e).op(OP.i32_eqz).brIf("chain_done");
  a.localGet(l.e).load(0).localGet(1).op(OP.i32_eq).if();
  found(a);
  a.end();
  a.localGet(l.e).load(4).localSet(l.e);
  a.br("chain");
  a.end().end(); // chain, chain_done
  a.localGet(l.i).i32Const(1).op(OP.i32_add).localSet(l.i);
  a.br("buckets");
  a.end().end(); // buckets, buckets_done
  a.end(); // skip
}

/** opa_value_get(set, key): the element itself. */
function getPrologue(a: Assembler, l: PrologueLocals): void {
  scanPrologue(a, l, (x) => x.localGet(1).op(OP.return));
}

/** opa_value_iter(set, prev): the next element in the chain, else the first of a later bucket, else 0. */
function iterPrologue(a: Assembler, l: PrologueLocals): void {
  scanPrologue(a, l, (x) => {
    x.localGet(l.e).load(4).localTee(l.e).if();
    x.localGet(l.e).load(0).op(OP.return);
    x.end();
    x.loop("next_bucket");
    x.localGet(l.i).i32Const(1).op(OP.i32_add).localTee(l.i).localGet(l.n).op(OP.i32_ge_u).if();
    x.i32Const(0).op(OP.return);
    x.end();
    x.localGet(0).load(4).localGet(l.i).i32Const(2).op(OP.i32_shl).op(OP.i32_add).load(0).localTee(l.e);
    x.op(OP.i32_eqz).brIf("next_bucket");
    x.end();
    x.localGet(l.e).load(0).op(OP.return);
  });
}

// --- a small assembler -------------------------------------------------------------------------

export const OP = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  else: 0x05,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  global_get: 0x23,
  global_set: 0x24,
  i32_load: 0x28,
  i64_load: 0x29,
  i32_load8_u: 0x2d,
  i32_store: 0x36,
  i64_store: 0x37,
  i32_const: 0x41,
  i64_const: 0x42,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_ge_u: 0x4f,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_shl: 0x74,
  i32_shr_u: 0x76,
} as const;
const EMPTY_BLOCK = 0x40;

export class Assembler {
  readonly bytes: number[] = [];
  /** open structured instructions, innermost last; a label name or "" */
  readonly #labels: string[] = [];

  op(code: number): this {
    this.bytes.push(code);
    return this;
  }
  #open(code: number, label: string): this {
    this.#labels.push(label);
    this.bytes.push(code, EMPTY_BLOCK);
    return this;
  }
  block(label: string): this {
    return this.#open(OP.block, label);
  }
  loop(label: string): this {
    return this.#open(OP.loop, label);
  }
  if(): this {
    return this.#open(OP.if, "");
  }
  /** the else of the innermost if */
  else(): this {
    if (this.#labels.length === 0) throw new Error("else without an if");
    this.bytes.push(OP.else);
    return this;
  }
  end(): this {
    if (this.#labels.pop() === undefined) throw new Error("end without a block");
    this.bytes.push(OP.end);
    return this;
  }
  #depth(label: string): number {
    const at = this.#labels.lastIndexOf(label);
    if (at < 0 || label === "") throw new Error(`no enclosing block ${label}`);
    return this.#labels.length - 1 - at;
  }
  br(label: string): this {
    this.bytes.push(OP.br, ...uleb(this.#depth(label)));
    return this;
  }
  brIf(label: string): this {
    this.bytes.push(OP.br_if, ...uleb(this.#depth(label)));
    return this;
  }
  call(functionIndex: number): this {
    this.bytes.push(OP.call, ...uleb(functionIndex));
    return this;
  }
  localGet(index: number): this {
    this.bytes.push(OP.local_get, ...uleb(index));
    return this;
  }
  localSet(index: number): this {
    this.bytes.push(OP.local_set, ...uleb(index));
    return this;
  }
  localTee(index: number): this {
    this.bytes.push(OP.local_tee, ...uleb(index));
    return this;
  }
  globalGet(index: number): this {
    this.bytes.push(OP.global_get, ...uleb(index));
    return this;
  }
  globalSet(index: number): this {
    this.bytes.push(OP.global_set, ...uleb(index));
    return this;
  }
  /** i32.load, 4-byte aligned, at a constant offset */
  load(offset: number): this {
    this.bytes.push(OP.i32_load, 2, ...uleb(offset));
    return this;
  }
  /** i32.store, 1-byte aligned (the address need not be aligned), at a constant offset */
  store(offset: number): this {
    this.bytes.push(OP.i32_store, 0, ...uleb(offset));
    return this;
  }
  /** i64.load, 8-byte aligned, at a constant offset */
  load64(offset: number): this {
    this.bytes.push(OP.i64_load, 3, ...uleb(offset));
    return this;
  }
  /** i64.store, 8-byte aligned, at a constant offset */
  store64(offset: number): this {
    this.bytes.push(OP.i64_store, 3, ...uleb(offset));
    return this;
  }
  load8u(offset: number): this {
    this.bytes.push(OP.i32_load8_u, 0, ...uleb(offset));
    return this;
  }
  i32Const(value: number): this {
    this.bytes.push(OP.i32_const, ...sleb(value));
    return this;
  }
  /** i64.const of a 32-bit value (its signed LEB128 encoding is the same as for i64) */
  i64Const(value: number): this {
    this.bytes.push(OP.i64_const, ...sleb(value));
    return this;
  }
  finish(): Uint8Array {
    if (this.#labels.length > 0) throw new Error(`unclosed blocks: ${this.#labels.join(", ")}`);
    return Uint8Array.from(this.bytes);
  }
}

// --- the module ------------------------------------------------------------------------------

export interface Range {
  start: number;
  end: number;
}

/** What the patches read of a module: its sections, function names, types and code bodies. */
export interface ParsedModule {
  sections: { id: number; start: number; end: number; contentStart: number }[];
  importedFunctions: number;
  /** imported functions' indices, by "module.field" */
  functionImports: Map<string, number>;
  functionNames: Map<string, number>;
  /** code bodies (without their size prefix), by defined-function index */
  bodies: Range[];
  codeSection: number;
  /** the function section's index in `sections` */
  functionSection: number;
  /** the type index of each defined function */
  functionTypes: number[];
  /** the type section's function types, by type index (value types as their bytes) */
  types: { params: number[]; results: number[] }[];
  /** globals imported (they come before the module's own in the global index space) */
  importedGlobals: number;
  /** the module's own globals */
  definedGlobals: number;
  /** the global and export sections' indices in `sections`, or -1 */
  globalSection: number;
  exportSection: number;
}

const UTF8 = new TextDecoder();

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public at: number,
  ) {}
  byte(): number {
    if (this.at >= this.bytes.byteLength) throw new Error("unexpected end of module");
    return this.bytes[this.at++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error("LEB128 too long");
    }
  }
  name(): string {
    const length = this.u32();
    const text = UTF8.decode(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }
}

export function parseModule(wasm: Uint8Array): ParsedModule {
  if (wasm.byteLength < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) throw new Error("not a wasm module");
  const r = new Reader(wasm, 8);
  const sections: ParsedModule["sections"] = [];
  let importedFunctions = 0;
  const functionImports = new Map<string, number>();
  const functionNames = new Map<string, number>();
  const bodies: Range[] = [];
  let codeSection = -1;
  let functionSection = -1;
  const functionTypes: number[] = [];
  const types: ParsedModule["types"] = [];
  let importedGlobals = 0;
  let definedGlobals = 0;
  let globalSection = -1;
  let exportSection = -1;
  while (r.at < wasm.byteLength) {
    const start = r.at;
    const id = r.byte();
    const size = r.u32();
    const contentStart = r.at;
    const end = contentStart + size;
    if (end > wasm.byteLength) throw new Error("section past the end of the module");
    sections.push({ id, start, end, contentStart });
    const s = new Reader(wasm, contentStart);
    if (id === 1) {
      for (let n = s.u32(); n > 0; n--) {
        if (s.byte() !== 0x60) throw new Error("not a function type");
        const params = Array.from({ length: s.u32() }, () => s.byte());
        const results = Array.from({ length: s.u32() }, () => s.byte());
        types.push({ params, results });
      }
    } else if (id === 3) {
      functionSection = sections.length - 1;
      for (let n = s.u32(); n > 0; n--) functionTypes.push(s.u32());
    } else if (id === 2) {
      // imports: module, field, kind, description
      for (let n = s.u32(); n > 0; n--) {
        const importModule = s.name();
        const field = s.name();
        const kind = s.byte();
        if (kind === 0) {
          functionImports.set(`${importModule}.${field}`, importedFunctions++);
          s.u32();
        } else if (kind === 1) {
          s.byte();
          limits(s);
        } else if (kind === 2) {
          limits(s);
        } else if (kind === 3) {
          importedGlobals++;
          s.byte();
          s.byte();
        } else {
          throw new Error(`unknown import kind ${kind}`);
        }
      }
    } else if (id === 6) {
      globalSection = sections.length - 1;
      definedGlobals = s.u32();
    } else if (id === 7) {
      exportSection = sections.length - 1;
    } else if (id === 10) {
      codeSection = sections.length - 1;
      for (let n = s.u32(); n > 0; n--) {
        const bodySize = s.u32();
        bodies.push({ start: s.at, end: s.at + bodySize });
        s.at += bodySize;
      }
    } else if (id === 0 && s.name() === "name") {
      while (s.at < end) {
        const sub = s.byte();
        const subSize = s.u32();
        const subEnd = s.at + subSize;
        if (sub === 1) {
          for (let n = s.u32(); n > 0; n--) {
            const index = s.u32();
            functionNames.set(s.name(), index);
          }
        }
        s.at = subEnd;
      }
    }
    r.at = end;
  }
  if (codeSection < 0) throw new Error("no code section");
  if (functionSection < 0 || functionTypes.length !== bodies.length) throw new Error("function and code sections disagree");
  return { sections, importedFunctions, functionImports, functionNames, bodies, codeSection, functionSection, functionTypes, types, importedGlobals, definedGlobals, globalSection, exportSection };
}

function limits(s: Reader): void {
  const flags = s.byte();
  s.u32();
  if (flags & 1) s.u32();
}

/** A function body with three more i32 locals and the prologue before its original code. */
export function withPrologue(wasm: Uint8Array, body: Range, params: number, prologue: (a: Assembler, l: PrologueLocals) => void): Uint8Array {
  const r = new Reader(wasm, body.start);
  const groups = r.u32();
  const groupsStart = r.at;
  let locals = 0;
  for (let g = 0; g < groups; g++) {
    locals += r.u32();
    r.byte();
  }
  const codeStart = r.at;
  const base = params + locals;
  const a = new Assembler();
  prologue(a, { n: base, i: base + 1, e: base + 2 });
  const code = a.finish();
  const declarations = [...uleb(groups + 1), ...wasm.subarray(groupsStart, codeStart), ...uleb(3), 0x7f];
  return concat([Uint8Array.from(declarations), code, wasm.subarray(codeStart, body.end)]);
}

function rebuildCode(wasm: Uint8Array, module: ParsedModule, replacements: Map<number, Uint8Array>): Uint8Array<ArrayBuffer> {
  return rebuildModule(wasm, module, replacements, []);
}

/** A function appended to a module: its type index and its code body (locals and code). */
export interface AppendedFunction {
  type: number;
  body: Uint8Array;
}

/** A mutable i32 global appended to a module, initialised to 0, exported under `exportAs`. */
export interface AppendedGlobal {
  exportAs?: string;
}

/**
 * The module with some code bodies replaced (by defined-function index), functions appended
 * after the last one and globals after the last one, so that no existing index moves. Only the
 * function, global, export and code sections change; the name section keeps naming the original
 * functions.
 */
export function rebuildModule(
  wasm: Uint8Array,
  module: ParsedModule,
  replacements: Map<number, Uint8Array>,
  appended: AppendedFunction[],
  globals: AppendedGlobal[] = [],
): Uint8Array<ArrayBuffer> {
  const total = module.bodies.length + appended.length;
  const types: number[] = [...uleb(total)];
  for (const type of [...module.functionTypes, ...appended.map((f) => f.type)]) types.push(...uleb(type));
  const entries: Uint8Array[] = [Uint8Array.from(uleb(total))];
  module.bodies.forEach((body, index) => {
    const bytes = replacements.get(index) ?? wasm.subarray(body.start, body.end);
    entries.push(Uint8Array.from(uleb(bytes.byteLength)), bytes);
  });
  for (const f of appended) entries.push(Uint8Array.from(uleb(f.body.byteLength)), f.body);
  const contents = new Map<number, Uint8Array>([
    [module.functionSection, Uint8Array.from(types)],
    [module.codeSection, concat(entries)],
  ]);
  if (globals.length > 0) {
    if (module.globalSection < 0 || module.exportSection < 0) throw new Error("the module has no global or export section");
    const globalSection = module.sections[module.globalSection]!;
    const exportSection = module.sections[module.exportSection]!;
    const ownGlobals = new Reader(wasm, globalSection.contentStart);
    ownGlobals.u32();
    // i32, mutable, initialised by `i32.const 0; end`
    const newGlobals = globals.flatMap(() => [0x7f, 0x01, OP.i32_const, 0x00, OP.end]);
    contents.set(module.globalSection, concat([Uint8Array.from(uleb(module.definedGlobals + globals.length)), wasm.subarray(ownGlobals.at, globalSection.end), Uint8Array.from(newGlobals)]));
    const ownExports = new Reader(wasm, exportSection.contentStart);
    const exportCount = ownExports.u32();
    const newExports: number[] = [];
    let added = 0;
    globals.forEach((global, i) => {
      if (global.exportAs === undefined) return;
      const name = new TextEncoder().encode(global.exportAs);
      newExports.push(...uleb(name.byteLength), ...name, 0x03, ...uleb(module.importedGlobals + module.definedGlobals + i));
      added++;
    });
    contents.set(module.exportSection, concat([Uint8Array.from(uleb(exportCount + added)), wasm.subarray(ownExports.at, exportSection.end), Uint8Array.from(newExports)]));
  }
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  for (const [index, section] of module.sections.entries()) {
    const content = contents.get(index);
    if (content === undefined) parts.push(wasm.subarray(section.start, section.end));
    else parts.push(Uint8Array.from([section.id, ...uleb(content.byteLength)]), content);
  }
  return concat(parts);
}

export function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (b & 0x40) === 0) || (value === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
