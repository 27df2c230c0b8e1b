// Sets and objects iterated in sorted order, as topdown iterates them.
//
// Why: OPA's wasm runtime iterates a set or an object in the order of its hash buckets
// (opa_value_iter), where topdown, `opa eval` and conftest iterate in sorted order (ast.Compare).
// Anything built by iterating one showed the difference: `[k | some k, _ in obj]`, the first
// element of such an array, `json.marshal` of a set or an object, `walk`, a comprehension over
// `input.obj`. A rule that depends on that order (the first member, a joined string) could allow
// where conftest denies.
//
// What: the calls of opa_value_iter whose order shows go to an appended entry, which hands every
// set and object of two or more members to sortedIter (and anything else to opa_value_iter):
// the policy's own functions (the plans' scans: `some x in s`, comprehensions, `walk` of
// results), the runtime's JSON writer (`json.marshal`, dumps) and its transitive closure
// (`walk`). The runtime's other iterations (membership, set and object algebra, copies) find
// the same members in any order and keep the bucket walk, which stops at the first match.
// sortedIter answers from the collection's members sorted by the
// runtime's own opa_value_compare (the order the runtime's opa_object_keys and opa_value_compare
// use, and topdown's). The sorted members are built once per collection and evaluation
// (sortedMembers: a bucket walk and a merge sort, O(n log n) comparisons) and kept in a small
// table, so each later step finds its position in O(1): the member it returned last is where it
// left it, or, when another iteration over the same collection moved on meanwhile, a binary
// search finds it; a later iteration of the same collection (a helper set iterated by many
// rules) reuses them after checking that a bucket walk meets exactly the member pointers they
// were sorted from (sameMembers: O(n) loads, no comparison). Arrays, and collections of fewer
// than two members, run the original body.
//
// The table (TABLE_SLOTS entries of {collection, members, length, position}) lives in the heap
// below the address evaluations rewind to (the host allocates it before loading data:
// initSortedIteration), and the module exports its address as the global TABLE_GLOBAL. Without a
// table (a module instantiated only to read its tables) every step sorts again: the same order,
// only slower.
//
// Why the table cannot hand out stale members: the host empties it at every rewind of the heap
// (clearSortedIteration: runtime.ts rewinds only through it), so an entry and its array belong to
// the evaluation that finds them. An entry is found only by its collection's address; a new
// iteration reuses its array only when the collection's buckets hold exactly the member pointers
// it was sorted from (members are values, not changed once in a collection), and each step checks
// the collection's length and that the member it was given is the one at its position (else it
// searches for it, by comparison); a member not found aborts the evaluation rather than guess.
// Arrays stay until the rewind (at most one per entry is live; an evicted entry's array is left to
// the rewind).
//
// Safety: applied only to runtimes whose opa_value_iter, opa_value_compare, opa_malloc, opa_free,
// JSON writer and transitive closure are byte for byte the ones it was written against
// (KNOWN_RUNTIMES, by sha256; that also pins the set and object layouts read here and which
// runtime functions iterate by calling opa_value_iter). Any other runtime is refused (runtime.ts): evaluated
// as built, it would iterate in bucket order.

import { createHash } from "node:crypto";
import { Assembler, OP, uleb, type AppendedFunction, type AppendedGlobal, type ParsedModule } from "./runtime-patch.js";
import { forEachCall, policyFunctions, type CallEdit } from "./strict-natives.js";

/** Iterations in progress the table keeps; more at once still work, the oldest sorting again. */
export const TABLE_SLOTS = 16;
const SLOT_BYTES = 16;
export const TABLE_BYTES = TABLE_SLOTS * SLOT_BYTES;

/** The exported global holding the table's address. */
export const TABLE_GLOBAL = "gatehouse_sorted_iteration_table";

const OBJECT = 6;
const SET = 7;
const I32 = 0x7f;

/** The runtime functions whose iteration shows in what they produce (besides the policy's own); a module has those its policy uses. */
const ORDERED_RUNTIME_CALLERS = ["opa_json_writer_emit_collection", "__opa_value_transitive_closure"] as const;

const FINGERPRINTED = ["opa_value_iter", "opa_value_compare", "opa_malloc", "opa_free"] as const;

/**
 * Per runtime: sha256 of the code bodies of FINGERPRINTED, and of each ordered runtime caller
 * (which calls of opa_value_iter it makes is part of what was checked).
 */
const KNOWN_RUNTIMES: Record<string, { core: string; callers: Record<(typeof ORDERED_RUNTIME_CALLERS)[number], string> }> = {
  // OPA 1.22.0
  "opa-1.22.0": {
    core: "0cd6185d7834fd36ce959a97e44a42fbb8d7b904798e4381f7f0740c50daaf72",
    callers: { opa_json_writer_emit_collection: "9b4eecb0f1b63f4825b0e159aeb5a3c480259c93e313d428a6c8f7a23bb108e3", __opa_value_transitive_closure: "b2dccb2ac7c6fe5074c91561fe35ad08190090a9c0ad857db62717606222f80f" },
  },
};

export interface SortedIterationEdits {
  /** code bodies replaced, by defined-function index: none (the rewrite redirects calls instead) */
  replacements: Map<number, Uint8Array>;
  /** the redirected calls of opa_value_iter, by defined-function index (merged with other call edits) */
  calls: Map<number, CallEdit[]>;
  appended: AppendedFunction[];
  globals: AppendedGlobal[];
}

function bodyHash(wasm: Uint8Array, module: ParsedModule, names: readonly string[]): string | undefined {
  const hash = createHash("sha256");
  for (const name of names) {
    const index = module.functionNames.get(name);
    if (index === undefined || index < module.importedFunctions) return undefined;
    const body = module.bodies[index - module.importedFunctions]!;
    hash.update(`${body.end - body.start}:`);
    hash.update(wasm.subarray(body.start, body.end));
  }
  return hash.digest("hex");
}

/** The fingerprint of the functions sorted iteration relies on (for adding a runtime to KNOWN_RUNTIMES). */
export function sortedIterationFingerprint(wasm: Uint8Array, module: ParsedModule): string | undefined {
  return bodyHash(wasm, module, FINGERPRINTED);
}

/** The fingerprint of each runtime function whose calls it redirects, as far as the module has them (KNOWN_RUNTIMES' callers). */
export function orderedCallerFingerprints(wasm: Uint8Array, module: ParsedModule): Record<string, string | undefined> {
  return Object.fromEntries(ORDERED_RUNTIME_CALLERS.map((name) => [name, bodyHash(wasm, module, [name])]));
}

/**
 * Sorted iteration as edits of a parsed module. `firstAppended` is the function index the first
 * appended function gets (after the module's own and any other rewrite's appended functions);
 * `firstGlobal` likewise for the appended globals. Throws when the runtime is not one it was
 * written for.
 */
export function sortedIterationEdits(wasm: Uint8Array, module: ParsedModule, firstAppended: number, firstGlobal: number): SortedIterationEdits {
  const fn = (name: string): number => module.functionNames.get(name)!;
  const fingerprint = sortedIterationFingerprint(wasm, module);
  if (fingerprint === undefined) throw new Error(`the runtime has no ${FINGERPRINTED.join(", ")}`);
  const known = Object.values(KNOWN_RUNTIMES).find((runtime) => runtime.core === fingerprint);
  if (!known) throw new Error(`unknown runtime (sorted-iteration fingerprint ${fingerprint.slice(0, 12)})`);
  const callerHashes = orderedCallerFingerprints(wasm, module);
  const callers: number[] = [];
  for (const name of ORDERED_RUNTIME_CALLERS) {
    const hash = callerHashes[name];
    if (hash === undefined) continue; // not in this module: its policy does not use it
    if (hash !== known.callers[name]) throw new Error(`unknown runtime (sorted-iteration fingerprint of ${name} ${hash.slice(0, 12)})`);
    callers.push(fn(name));
  }
  const abort = module.functionImports.get("env.opa_abort");
  if (abort === undefined) throw new Error("the module does not import opa_abort");
  const iter = fn("opa_value_iter");
  const type = module.functionTypes[iter - module.importedFunctions]!;
  const signature = module.types[type]!;
  if (signature.params.length !== 2 || signature.params.some((p) => p !== I32) || signature.results.length !== 1 || signature.results[0] !== I32) {
    throw new Error("unexpected type of opa_value_iter");
  }
  const calls: Calls = { compare: fn("opa_value_compare"), malloc: fn("opa_malloc"), free: fn("opa_free"), abort, original: iter, members: firstAppended, iter: firstAppended + 1, same: firstAppended + 3 };
  const entry = firstAppended + 2;
  const globals: Globals = { table: firstGlobal, next: firstGlobal + 1 };
  const edits = new Map<number, CallEdit[]>();
  for (const caller of [...policyFunctions(module), ...callers]) {
    const body = module.bodies[caller - module.importedFunctions]!;
    const found: CallEdit[] = [];
    forEachCall(wasm, body.start, body.end, (at, end, callee) => {
      if (callee === iter) found.push({ at, end, callee: entry });
    });
    if (found.length > 0) edits.set(caller - module.importedFunctions, found);
  }
  return {
    replacements: new Map(),
    calls: edits,
    appended: [
      { type, body: sortedMembersBody(calls) },
      { type, body: sortedIterBody(calls, globals) },
      { type, body: entryBody(calls) },
      { type: sameType(module), body: sameMembersBody() },
    ],
    globals: [{ exportAs: TABLE_GLOBAL }, {}],
  };
}

/**
 * Empties the table: at every rewind of the heap (an evaluation's arrays are gone then), so that
 * an entry always belongs to the evaluation that finds it.
 */
export function clearSortedIteration(exports: WebAssembly.Exports, memory: WebAssembly.Memory): void {
  const global = exports[TABLE_GLOBAL];
  if (!(global instanceof WebAssembly.Global)) return;
  const table = global.value as number;
  if (table !== 0) tableView(memory, table).fill(0);
}

/** The table's bytes, one view per memory kept until the memory grows (it runs at every evaluation). */
const tableViews = new WeakMap<WebAssembly.Memory, Uint8Array>();

function tableView(memory: WebAssembly.Memory, table: number): Uint8Array {
  const cached = tableViews.get(memory);
  if (cached !== undefined && cached.buffer === memory.buffer && cached.byteOffset === table) return cached;
  const view = new Uint8Array(memory.buffer, table, TABLE_BYTES);
  tableViews.set(memory, view);
  return view;
}

/** Allocates and clears the table (before the heap address evaluations rewind to is taken). */
export function initSortedIteration(exports: WebAssembly.Exports, memory: WebAssembly.Memory): boolean {
  const global = exports[TABLE_GLOBAL];
  if (!(global instanceof WebAssembly.Global)) return false;
  const malloc = exports["opa_malloc"] as (size: number) => number;
  const table = malloc(TABLE_BYTES);
  new Uint8Array(memory.buffer, table, TABLE_BYTES).fill(0);
  global.value = table;
  return true;
}

interface Calls {
  compare: number;
  malloc: number;
  free: number;
  abort: number;
  /** opa_value_iter */
  original: number;
  members: number;
  iter: number;
  /** sameMembers(node, buf, len): whether the collection's bucket walk is buf's snapshot */
  same: number;
}

interface Globals {
  table: number;
  next: number;
}

/** The module's type index of (i32, i32, i32) -> i32 (OPA's runtime has functions of that type). */
function sameType(module: ParsedModule): number {
  const index = module.types.findIndex((t) => t.params.length === 3 && t.params.every((p) => p === I32) && t.results.length === 1 && t.results[0] === I32);
  if (index < 0) throw new Error("the module has no (i32, i32, i32) -> i32 type");
  return index;
}

/**
 * sameMembers(node, buf, len) -> 1 when walking the collection's buckets meets exactly the len
 * member pointers of buf's snapshot half, in that order; else 0. The members are then the ones
 * buf's sorted half holds (values are not changed once in a collection).
 */
function sameMembersBody(): Uint8Array {
  const [node, buf, len] = [0, 1, 2];
  const L = { next: 3, b: 4, n: 5, buckets: 6, e: 7, k: 8, snap: 9 };
  const a = new Assembler();
  a.localGet(buf).localGet(len).i32Const(2).op(OP.i32_shl).op(OP.i32_add).localSet(L.snap);
  walkMembers(a, node, L, () => {
    a.localGet(L.k).localGet(len).op(OP.i32_ge_u).if();
    a.i32Const(0).op(OP.return);
    a.end();
    element(a, L.snap, L.k).load(0).localGet(L.e).load(0).op(OP.i32_ne).if();
    a.i32Const(0).op(OP.return);
    a.end();
  });
  a.localGet(L.k).localGet(len).op(OP.i32_eq);
  return body(7, a);
}

/** entry(node, prev): sortedIter(node, prev) for a set or an object of two or more members, else opa_value_iter(node, prev). */
function entryBody(calls: Calls): Uint8Array {
  const a = new Assembler();
  a.block("skip");
  a.localGet(0).op(OP.i32_eqz).brIf("skip");
  // type - OBJECT > 1 (unsigned): neither an object nor a set
  a.localGet(0).load8u(0).i32Const(OBJECT).op(OP.i32_sub).i32Const(SET - OBJECT).op(OP.i32_gt_u).brIf("skip");
  a.localGet(0).load(12).i32Const(2).op(OP.i32_lt_u).brIf("skip");
  a.localGet(0).localGet(1).call(calls.iter).op(OP.return);
  a.end();
  a.localGet(0).localGet(1).call(calls.original);
  return Uint8Array.from([0, ...a.finish(), OP.end]);
}

/** opa_abort(message): the message written into the heap first (the runtime takes a C string). */
function abortWith(a: Assembler, calls: Calls, local: number, message: string): void {
  const text = new TextEncoder().encode(`${message}\0`);
  const padded = new Uint8Array(Math.ceil(text.byteLength / 4) * 4);
  padded.set(text);
  a.i32Const(padded.byteLength).call(calls.malloc).localSet(local);
  const words = new DataView(padded.buffer);
  for (let offset = 0; offset < padded.byteLength; offset += 4) a.localGet(local).i32Const(words.getInt32(offset, true)).store(offset);
  a.localGet(local).call(calls.abort).op(OP.unreachable);
}

function body(locals: number, a: Assembler): Uint8Array {
  return Uint8Array.from([1, ...uleb(locals), I32, ...a.finish(), OP.end]);
}

/** The locals a bucket walk uses: the element's next-pointer offset, the bucket index and count, the buckets, the element, the members seen. */
interface WalkLocals {
  next: number;
  b: number;
  n: number;
  buckets: number;
  e: number;
  k: number;
}

/**
 * Walks a set's or an object's buckets in their order: `visit` runs once per element with the
 * element in L.e and the number of members seen before it in L.k (a member, the k of an object
 * element or the v of a set element, is the element's first field); L.k ends as the count.
 */
function walkMembers(a: Assembler, node: number, L: WalkLocals, visit: () => void): void {
  // the next-element pointer: opa_object_elem_t {k, v, next}; opa_set_elem_t {v, next}
  a.i32Const(8).i32Const(4).localGet(node).load8u(0).i32Const(OBJECT).op(OP.i32_eq).op(OP.select).localSet(L.next);
  a.localGet(node).load(4).localSet(L.buckets);
  a.localGet(node).load(8).localSet(L.n);
  a.i32Const(0).localSet(L.k);
  a.i32Const(0).localSet(L.b);
  a.block("buckets_done").loop("buckets");
  a.localGet(L.b).localGet(L.n).op(OP.i32_ge_u).brIf("buckets_done");
  element(a, L.buckets, L.b).load(0).localSet(L.e);
  a.block("chain_done").loop("chain");
  a.localGet(L.e).op(OP.i32_eqz).brIf("chain_done");
  visit();
  a.localGet(L.k).i32Const(1).op(OP.i32_add).localSet(L.k);
  a.localGet(L.e).localGet(L.next).op(OP.i32_add).load(0).localSet(L.e);
  a.br("chain");
  a.end().end();
  a.localGet(L.b).i32Const(1).op(OP.i32_add).localSet(L.b);
  a.br("buckets");
  a.end().end();
}

/** address + index * 4 (on the stack) */
function element(a: Assembler, base: number, index: number): Assembler {
  return a.localGet(base).localGet(index).i32Const(2).op(OP.i32_shl).op(OP.i32_add);
}

/**
 * sortedMembers(node, len) -> members: a new array of the len member pointers of a set (its
 * elements) or an object (its keys), sorted by opa_value_compare. A bucket walk that does not
 * find exactly len members aborts (the collection is not what its header says).
 */
function sortedMembersBody(calls: Calls): Uint8Array {
  const [node, len] = [0, 1];
  const L = { buf: 2, other: 3, next: 4, b: 5, n: 6, buckets: 7, e: 8, k: 9, width: 10, i: 11, mid: 12, hi: 13, x: 14, y: 15, src: 16, dst: 17, w: 18, msg: 19, left: 20 };
  const a = new Assembler();
  // buf: the len members sorted, then the same members in bucket order (the snapshot a later
  // iteration checks the collection against before it reuses the sorted half)
  a.localGet(len).i32Const(3).op(OP.i32_shl).call(calls.malloc).localSet(L.buf);
  walkMembers(a, node, L, () => {
    a.localGet(L.k).localGet(len).op(OP.i32_ge_u).if();
    abortWith(a, calls, L.msg, "sorted iteration: a collection holds more members than its length");
    a.end();
    element(a, L.buf, L.k).localGet(L.e).load(0).store(0);
    element(a, L.buf, L.k).localGet(len).i32Const(2).op(OP.i32_shl).op(OP.i32_add).localGet(L.e).load(0).store(0);
  });
  a.localGet(L.k).localGet(len).op(OP.i32_ne).if();
  abortWith(a, calls, L.msg, "sorted iteration: a collection holds fewer members than its length");
  a.end();
  // bottom-up merge sort between buf and other
  a.localGet(len).i32Const(2).op(OP.i32_shl).call(calls.malloc).localSet(L.other);
  a.localGet(L.buf).localSet(L.src);
  a.localGet(L.other).localSet(L.dst);
  a.i32Const(1).localSet(L.width);
  a.block("passes_done").loop("passes");
  a.localGet(L.width).localGet(len).op(OP.i32_ge_u).brIf("passes_done");
  a.i32Const(0).localSet(L.i);
  a.block("runs_done").loop("runs");
  a.localGet(L.i).localGet(len).op(OP.i32_ge_u).brIf("runs_done");
  // mid = min(i + width, len); hi = min(i + 2 width, len)
  a.localGet(L.i).localGet(L.width).op(OP.i32_add).localTee(L.mid).localGet(len).localGet(L.mid).localGet(len).op(OP.i32_lt_u).op(OP.select).localSet(L.mid);
  a.localGet(L.mid).localGet(L.width).op(OP.i32_add).localTee(L.hi).localGet(len).localGet(L.hi).localGet(len).op(OP.i32_lt_u).op(OP.select).localSet(L.hi);
  a.localGet(L.i).localSet(L.x);
  a.localGet(L.mid).localSet(L.y);
  a.localGet(L.i).localSet(L.w);
  a.block("merge_done").loop("merge");
  a.localGet(L.w).localGet(L.hi).op(OP.i32_ge_u).brIf("merge_done");
  // left = x < mid && (y >= hi || compare(src[x], src[y]) <= 0)
  a.i32Const(0).localSet(L.left);
  a.localGet(L.x).localGet(L.mid).op(OP.i32_lt_u).if();
  a.localGet(L.y).localGet(L.hi).op(OP.i32_ge_u).if();
  a.i32Const(1).localSet(L.left);
  a.else();
  element(a, L.src, L.x).load(0);
  element(a, L.src, L.y).load(0);
  a.call(calls.compare).i32Const(0).op(OP.i32_le_s).localSet(L.left);
  a.end();
  a.end();
  a.localGet(L.left).if();
  element(a, L.dst, L.w);
  element(a, L.src, L.x).load(0).store(0);
  a.localGet(L.x).i32Const(1).op(OP.i32_add).localSet(L.x);
  a.else();
  element(a, L.dst, L.w);
  element(a, L.src, L.y).load(0).store(0);
  a.localGet(L.y).i32Const(1).op(OP.i32_add).localSet(L.y);
  a.end();
  a.localGet(L.w).i32Const(1).op(OP.i32_add).localSet(L.w);
  a.br("merge");
  a.end().end();
  a.localGet(L.hi).localSet(L.i);
  a.br("runs");
  a.end().end();
  // swap src and dst
  a.localGet(L.src).localSet(L.e);
  a.localGet(L.dst).localSet(L.src);
  a.localGet(L.e).localSet(L.dst);
  a.localGet(L.width).i32Const(1).op(OP.i32_shl).localSet(L.width);
  a.br("passes");
  a.end().end();
  // the sorted members back into buf's first half when the last pass ended in the other array
  a.localGet(L.src).localGet(L.buf).op(OP.i32_ne).if();
  a.i32Const(0).localSet(L.i);
  a.block("copied").loop("copy");
  a.localGet(L.i).localGet(len).op(OP.i32_ge_u).brIf("copied");
  element(a, L.buf, L.i);
  element(a, L.src, L.i).load(0).store(0);
  a.localGet(L.i).i32Const(1).op(OP.i32_add).localSet(L.i);
  a.br("copy");
  a.end().end();
  a.end();
  a.localGet(L.other).call(calls.free);
  a.localGet(L.buf);
  return body(19, a);
}

/**
 * sortedIter(node, prev) -> the member after prev in sorted order (the first when prev is NULL),
 * or NULL after the last; node is a set or an object of two or more members.
 */
function sortedIterBody(calls: Calls, globals: Globals): Uint8Array {
  const [node, prev] = [0, 1];
  const L = { len: 2, table: 3, slot: 4, buf: 5, pos: 6, lo: 7, hi: 8, mid: 9, c: 10, i: 11, r: 12, msg: 13 };
  const a = new Assembler();
  a.localGet(node).load(12).localSet(L.len);
  a.globalGet(globals.table).localSet(L.table);
  a.i32Const(0).localSet(L.slot);
  // slot = the table's entry for node, if any
  a.localGet(L.table).if();
  a.i32Const(0).localSet(L.i);
  a.block("found").loop("find");
  a.localGet(L.i).i32Const(TABLE_BYTES).op(OP.i32_ge_u).brIf("found");
  a.localGet(L.table).localGet(L.i).op(OP.i32_add).load(0).localGet(node).op(OP.i32_eq).if();
  a.localGet(L.table).localGet(L.i).op(OP.i32_add).localSet(L.slot);
  a.br("found");
  a.end();
  a.localGet(L.i).i32Const(SLOT_BYTES).op(OP.i32_add).localSet(L.i);
  a.br("find");
  a.end().end();
  a.end();

  const claimSlot = (): void => {
    // slot = the entry for node, else a free entry, else the next one round the table
    a.localGet(L.slot).op(OP.i32_eqz).if();
    a.i32Const(0).localSet(L.i);
    a.block("free_found").loop("free");
    a.localGet(L.i).i32Const(TABLE_BYTES).op(OP.i32_ge_u).brIf("free_found");
    a.localGet(L.table).localGet(L.i).op(OP.i32_add).load(0).op(OP.i32_eqz).if();
    a.localGet(L.table).localGet(L.i).op(OP.i32_add).localSet(L.slot);
    a.br("free_found");
    a.end();
    a.localGet(L.i).i32Const(SLOT_BYTES).op(OP.i32_add).localSet(L.i);
    a.br("free");
    a.end().end();
    a.localGet(L.slot).op(OP.i32_eqz).if();
    a.globalGet(globals.next).i32Const(TABLE_SLOTS - 1).op(OP.i32_and).i32Const(SLOT_BYTES).op(OP.i32_mul).localGet(L.table).op(OP.i32_add).localSet(L.slot);
    a.globalGet(globals.next).i32Const(1).op(OP.i32_add).globalSet(globals.next);
    a.end();
    a.end();
    a.localGet(L.slot).localGet(node).store(0);
    a.localGet(L.slot).localGet(L.buf).store(4);
    a.localGet(L.slot).localGet(L.len).store(8);
    a.localGet(L.slot).localGet(L.pos).store(12);
  };

  // The first member: the sorted array kept for this collection if its members are the ones
  // sorted (the same pointers in the same buckets), else a new one, kept in the table.
  a.localGet(prev).op(OP.i32_eqz).if();
  a.block("rebuild");
  a.localGet(L.slot).op(OP.i32_eqz).brIf("rebuild");
  a.localGet(L.slot).load(8).localGet(L.len).op(OP.i32_ne).brIf("rebuild");
  a.localGet(L.slot).load(4).localSet(L.buf);
  a.localGet(node).localGet(L.buf).localGet(L.len).call(calls.same).op(OP.i32_eqz).brIf("rebuild");
  a.localGet(L.slot).i32Const(0).store(12);
  a.localGet(L.buf).load(0).op(OP.return);
  a.end();
  a.localGet(node).localGet(L.len).call(calls.members).localSet(L.buf);
  a.localGet(L.buf).load(0).localSet(L.r);
  a.localGet(L.table).op(OP.i32_eqz).if();
  a.localGet(L.buf).call(calls.free);
  a.localGet(L.r).op(OP.return);
  a.end();
  a.i32Const(0).localSet(L.pos);
  claimSlot();
  a.localGet(L.r).op(OP.return);
  a.end();

  const search = (): void => {
    // pos = the index of the member equal to prev (binary search by opa_value_compare), or -1
    a.i32Const(-1).localSet(L.pos);
    a.i32Const(0).localSet(L.lo);
    a.localGet(L.len).i32Const(1).op(OP.i32_sub).localSet(L.hi);
    a.block("searched").loop("search");
    a.localGet(L.hi).localGet(L.lo).op(OP.i32_lt_s).brIf("searched");
    a.localGet(L.lo).localGet(L.hi).op(OP.i32_add).i32Const(1).op(OP.i32_shr_u).localSet(L.mid);
    element(a, L.buf, L.mid).load(0).localGet(prev).call(calls.compare).localTee(L.c).op(OP.i32_eqz).if();
    a.localGet(L.mid).localSet(L.pos);
    a.br("searched");
    a.end();
    a.localGet(L.c).i32Const(0).op(OP.i32_lt_s).if();
    a.localGet(L.mid).i32Const(1).op(OP.i32_add).localSet(L.lo);
    a.else();
    a.localGet(L.mid).i32Const(1).op(OP.i32_sub).localSet(L.hi);
    a.end();
    a.br("search");
    a.end().end();
  };

  // A later member: where the table left this iteration, else found by searching.
  a.block("positioned");
  a.localGet(L.slot).if();
  a.localGet(L.slot).load(8).localGet(L.len).op(OP.i32_eq).if();
  a.localGet(L.slot).load(4).localSet(L.buf);
  a.localGet(L.slot).load(12).localSet(L.pos);
  element(a, L.buf, L.pos).load(0).localGet(prev).op(OP.i32_eq).brIf("positioned");
  search();
  a.br("positioned");
  a.end();
  a.end();
  a.localGet(node).localGet(L.len).call(calls.members).localSet(L.buf);
  search();
  a.localGet(L.table).if();
  claimSlot();
  a.else();
  a.i32Const(0).localSet(L.slot);
  a.end();
  a.end();

  a.localGet(L.pos).i32Const(0).op(OP.i32_lt_s).if();
  abortWith(a, calls, L.msg, "sorted iteration: the previous member is not in the collection");
  a.end();
  a.localGet(L.pos).i32Const(1).op(OP.i32_add).localTee(L.pos).localGet(L.len).op(OP.i32_ge_u).if();
  // the iteration ends: its array stays in the table for the next iteration of the collection
  // in this evaluation (the host clears the table at every heap rewind); without a table it goes
  // back to the heap
  a.localGet(L.slot).op(OP.i32_eqz).if();
  a.localGet(L.buf).call(calls.free);
  a.end();
  a.i32Const(0).op(OP.return);
  a.end();
  element(a, L.buf, L.pos).load(0).localSet(L.r);
  a.localGet(L.slot).if();
  a.localGet(L.slot).localGet(L.pos).store(12);
  a.else();
  a.localGet(L.buf).call(calls.free);
  a.end();
  a.localGet(L.r);
  return body(12, a);
}
