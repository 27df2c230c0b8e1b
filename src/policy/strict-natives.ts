// Strict builtin errors for the builtins native to OPA's wasm runtime: a load-time rewrite.
//
// Why: OPA's wasm runtime implements ~90 builtins in C (count, div, object.get, json.remove,
// to_number ...). On operands topdown refuses with an error, they return NULL, which the compiled
// policy reads as "undefined": a deny rule that calls one of them on a bad input silently does not
// fire (fail-open). gatehouse evaluates as `opa eval --strict-builtin-errors` does (its own host
// builtins throw), so a NULL from one of these natives has to become an evaluation error too.
//
// What: every `call` of a checked native inside a function the OPA compiler emitted (the policy's
// rules, `g<N>.*`, and the plans' `eval`) is redirected to an appended checking function with the
// native's type: it calls the native and returns its result unless that is NULL, in which case it
// writes "<builtin>: ..." into the heap (opa_malloc) and calls the runtime's own opa_abort import,
// which every host turns into an evaluation error (gatehouse: policy/eval-error, naming the builtin).
// Only the policy's call sites change: the runtime's own C code calls some natives internally
// (minus calls set_diff, union_n calls union ...) and may legitimately get NULL there.
//
// Which natives (OPA 1.22.0, wasm/src/*.c against v1/topdown): each NULL result of every native
// below is an operand error in topdown, except `max` and `min` of an empty array or set, which
// are undefined in topdown too (checked: NULL with an array or set operand is left undefined).
// Natives that cannot return NULL (comparisons, is_* and type_name, membership, *.is_valid) are
// not redirected: those are the hot ones, and a check there would only cost time.
//
// Safety: the rewrite decodes every instruction of the functions it changes (an unknown opcode
// refuses the module: evaluating it unchecked would be fail-open), changes no function index (the
// checkers are appended), and leaves the bundle on disk as `opa build` made it.
// test/runtime-patch.test.ts compares rewritten and original evaluation; test/builtins.test.ts has
// a regression per builtin family.

import { Assembler, OP, concat, parseModule, rebuildModule, uleb, type AppendedFunction, type ParsedModule } from "./runtime-patch.js";
import { NATIVE_GUARD_ID_BASE, NATIVE_GUARDS, type NativeGuard } from "./builtins/native-guards.js";

/** What a NULL result of a native means in topdown. */
type NullMeans = "error" | "error-unless-array-or-set";

interface Native {
  /** the Rego name, as errors name it */
  builtin: string;
  nullMeans: NullMeans;
}

const error = (builtin: string): Native => ({ builtin, nullMeans: "error" });

/**
 * The natives whose results are checked, by runtime function name (OPA's builtin -> function table,
 * internal/compiler/wasm/wasm.go). Where two builtins share a function, both names are given.
 */
export const CHECKED_NATIVES: Record<string, Native> = {
  opa_arith_plus: error("plus"),
  opa_arith_minus: error("minus"),
  opa_arith_multiply: error("mul"),
  opa_arith_divide: error("div"),
  opa_arith_abs: error("abs"),
  opa_arith_round: error("round"),
  opa_arith_ceil: error("ceil"),
  opa_arith_floor: error("floor"),
  opa_arith_rem: error("rem"),
  opa_array_concat: error("array.concat"),
  opa_array_flatten: error("array.flatten"),
  opa_array_reverse: error("array.reverse"),
  opa_array_slice: error("array.slice"),
  opa_set_diff: error("set_diff"),
  opa_set_intersection: error("and"),
  opa_set_union: error("or"),
  opa_sets_intersection: error("intersection"),
  opa_sets_union: error("union"),
  opa_bits_or: error("bits.or"),
  opa_bits_and: error("bits.and"),
  opa_bits_negate: error("bits.negate"),
  opa_bits_xor: error("bits.xor"),
  opa_bits_shiftleft: error("bits.lsh"),
  opa_bits_shiftright: error("bits.rsh"),
  opa_agg_count: error("count"),
  opa_agg_sum: error("sum"),
  opa_agg_product: error("product"),
  opa_agg_max: { builtin: "max", nullMeans: "error-unless-array-or-set" },
  opa_agg_min: { builtin: "min", nullMeans: "error-unless-array-or-set" },
  opa_agg_sort: error("sort"),
  opa_agg_all: error("all"),
  opa_agg_any: error("any"),
  opa_base64_decode: error("base64.decode"),
  opa_base64_encode: error("base64.encode"),
  opa_base64_url_encode: error("base64url.encode"),
  opa_base64_url_decode: error("base64url.decode"),
  opa_cidr_contains: error("net.cidr_contains/net.cidr_overlap"),
  opa_cidr_intersects: error("net.cidr_intersects"),
  opa_glob_match: error("glob.match"),
  opa_json_marshal: error("json.marshal"),
  opa_json_unmarshal: error("json.unmarshal"),
  builtin_object_filter: error("object.filter"),
  builtin_object_get: error("object.get"),
  builtin_object_keys: error("object.keys"),
  builtin_object_remove: error("object.remove"),
  builtin_object_union: error("object.union"),
  builtin_object_union_n: error("object.union_n"),
  opa_strings_concat: error("concat"),
  opa_strings_format_int: error("format_int"),
  opa_strings_indexof: error("indexof"),
  opa_strings_substring: error("substring"),
  opa_strings_lower: error("lower"),
  opa_strings_upper: error("upper"),
  opa_strings_contains: error("contains"),
  opa_strings_startswith: error("startswith"),
  opa_strings_endswith: error("endswith"),
  opa_strings_reverse: error("strings.reverse"),
  opa_strings_split: error("split"),
  opa_strings_replace: error("replace"),
  opa_strings_replace_n: error("strings.replace_n"),
  opa_strings_trim: error("trim"),
  opa_strings_trim_left: error("trim_left"),
  opa_strings_trim_prefix: error("trim_prefix"),
  opa_strings_trim_right: error("trim_right"),
  opa_strings_trim_suffix: error("trim_suffix"),
  opa_strings_trim_space: error("trim_space"),
  opa_template_string: error("template string"),
  opa_numbers_range: error("numbers.range"),
  opa_to_number: error("to_number"),
  opa_value_transitive_closure: error("walk"),
  builtin_graph_reachable: error("graph.reachable"),
  opa_regex_match: error("regex.match"),
  opa_regex_find_all_string_submatch: error("regex.find_all_string_submatch_n"),
  builtin_json_remove: error("json.remove"),
  builtin_json_filter: error("json.filter"),
};

/** The message an unchecked NULL aborts with (topdown's errors also start with the builtin's name). */
export function nativeErrorMessage(builtin: string): string {
  return `${builtin}: invalid operands (the builtin errs, as in opa eval --strict-builtin-errors)`;
}

export interface StrictResult {
  wasm: Uint8Array<ArrayBuffer>;
  /** the natives whose call sites now check their result, by builtin name, sorted */
  checked: string[];
  /** call sites redirected */
  callSites: number;
}

const NUMBER = 3;
const NUMBER_REPR_INT = 1;
const NUMBER_REPR_REF = 2;
const STRING = 4;
const ARRAY = 5;
const SET = 7;
const STRING_INTERNED = 8;
/** a checker's locals after its params: result, message, and three for a string scan */
const CHECKER_LOCALS = 5;
const I32 = 0x7f;

/** Redirects the policy's calls of CHECKED_NATIVES to checking functions. Throws on a module it cannot read. */
export function checkNativeResults(wasm: Uint8Array): StrictResult {
  const module = parseModule(wasm);
  const edits = nativeCheckEdits(wasm, module);
  const { checked, callSites } = edits;
  if (edits.appended.length === 0) return { wasm: new Uint8Array(wasm), checked, callSites };
  return { wasm: rebuildModule(wasm, module, edits.replacements, edits.appended), checked, callSites };
}

/** A `call` whose callee is replaced: the immediate's byte range in the module, and the new callee. */
export interface CallEdit {
  at: number;
  end: number;
  callee: number;
}

export interface NativeCheckEdits {
  /** the policy functions' new code bodies, by defined-function index */
  replacements: Map<number, Uint8Array>;
  /** the redirected calls those bodies are made from, by defined-function index (for merging with other call edits) */
  calls: Map<number, CallEdit[]>;
  /** the checking functions, to append after the module's own */
  appended: AppendedFunction[];
  /** each checked native's checker, by function index (for rewrites that wrap a checker) */
  checkerOf: Map<number, number>;
  checked: string[];
  callSites: number;
}

/** checkNativeResults as edits of a parsed module, for composing with other rewrites in one rebuild. */
export function nativeCheckEdits(wasm: Uint8Array, module: ParsedModule): NativeCheckEdits {
  const abort = module.functionImports.get("env.opa_abort");
  const malloc = module.functionNames.get("opa_malloc");
  if (abort === undefined) throw new Error("the module does not import opa_abort");
  if (malloc === undefined) throw new Error("the module has no opa_malloc");
  const nativeByIndex = new Map<number, string>();
  for (const name of [...Object.keys(CHECKED_NATIVES), ...NATIVE_GUARDS.map((guard) => guard.native)]) {
    const index = module.functionNames.get(name);
    if (index !== undefined && index >= module.importedFunctions) nativeByIndex.set(index, name);
  }
  const checkerOf = new Map<number, number>();
  const appended: AppendedFunction[] = [];
  const calls = new Map<number, CallEdit[]>();
  let callSites = 0;
  for (const index of policyFunctions(module)) {
    const defined = index - module.importedFunctions;
    const body = module.bodies[defined]!;
    const edits: CallEdit[] = [];
    forEachCall(wasm, body.start, body.end, (at, end, callee) => {
      if (!nativeByIndex.has(callee)) return;
      let checker = checkerOf.get(callee);
      if (checker === undefined) {
        checker = module.importedFunctions + module.bodies.length + appended.length;
        const type = module.functionTypes[callee - module.importedFunctions]!;
        const name = nativeByIndex.get(callee)!;
        appended.push({ type, body: checkerBody(module, callee, name, abort, malloc) });
        checkerOf.set(callee, checker);
      }
      edits.push({ at, end, callee: checker });
    });
    if (edits.length === 0) continue;
    callSites += edits.length;
    calls.set(defined, edits);
  }
  const checked = [...checkerOf.keys()].map((index) => nativeInfo(nativeByIndex.get(index)!).builtin).sort();
  return { replacements: redirectCalls(wasm, module, calls), calls, appended, checkerOf, checked, callSites };
}

/** The code bodies with their edited calls (each function's edits in any order, disjoint). */
export function redirectCalls(wasm: Uint8Array, module: ParsedModule, calls: Map<number, readonly CallEdit[]>): Map<number, Uint8Array> {
  const replacements = new Map<number, Uint8Array>();
  for (const [defined, unsorted] of calls) {
    const body = module.bodies[defined]!;
    const edits = [...unsorted].sort((a, b) => a.at - b.at);
    const parts: Uint8Array[] = [];
    let from = body.start;
    for (const edit of edits) {
      parts.push(wasm.subarray(from, edit.at), Uint8Array.from(uleb(edit.callee)));
      from = edit.end;
    }
    parts.push(wasm.subarray(from, body.end));
    replacements.set(defined, concat(parts));
  }
  return replacements;
}

/**
 * The functions the OPA compiler emitted into the runtime library: `eval` (the plans; declared by
 * the library, its body replaced), and everything from the first policy function or `builtins`
 * on (it appends its declarations after the library's functions).
 */
export function policyFunctions(module: ParsedModule): number[] {
  const evalIndex = module.functionNames.get("eval");
  const builtins = module.functionNames.get("builtins");
  if (evalIndex === undefined || builtins === undefined) throw new Error("the module has no eval or builtins function: not compiled by OPA");
  let first = builtins;
  for (const [name, index] of module.functionNames) if (/^g\d+\./.test(name) && index < first) first = index;
  const last = module.importedFunctions + module.bodies.length;
  const out = [evalIndex];
  for (let index = Math.max(first, module.importedFunctions); index < last; index++) if (index !== evalIndex) out.push(index);
  return out;
}

/** The Rego name and NULL meaning of a redirected native (a "host" guard's native is never called). */
function nativeInfo(name: string): Native {
  return CHECKED_NATIVES[name] ?? error(NATIVE_GUARDS.find((guard) => guard.native === name)!.builtin);
}

/** Digits of the longest decimal integer taken as exact: below 2^63 (int64) and 2^64 (big.Float's mantissa). */
const EXACT_INTEGER_DIGITS = 18;

/**
 * Branches to `label` unless operand `operand` is an integer the native and topdown both compute
 * exactly: a number held as an int64 (opa_number_t: type NUMBER, repr INT), or one held as its
 * JSON text (repr REF, every number of the input document) that is a plain decimal integer of at
 * most 18 digits without a leading zero (`0`, `-12`; not `-0`, `1.0`, `1e3`); with `branchOnZero`, not
 * zero either. Checked in the wasm:
 * the int path of arithmetic on input numbers makes no host call.
 */
function branchUnlessExactInteger(a: Assembler, operand: number, [cursor, negative, end]: [number, number, number], label: string, branchOnZero = false): void {
  const ZERO = 0x30;
  const MINUS = 0x2d;
  a.localGet(operand).op(OP.i32_eqz).brIf(label);
  a.localGet(operand).load8u(0).i32Const(NUMBER).op(OP.i32_ne).brIf(label);
  a.block("exact");
  a.block("ref");
  a.localGet(operand).load8u(1).i32Const(NUMBER_REPR_INT).op(OP.i32_ne).brIf("ref");
  // an int64 at offset 8: zero when both halves are
  if (branchOnZero) a.localGet(operand).load(8).localGet(operand).load(12).op(OP.i32_or).op(OP.i32_eqz).brIf(label);
  a.br("exact");
  a.end();
  a.localGet(operand).load8u(1).i32Const(NUMBER_REPR_REF).op(OP.i32_ne).brIf(label);
  // opa_number_ref_t at offset 8: { const char *s; size_t len; ... }
  a.localGet(operand).load(8).localSet(cursor);
  a.localGet(operand).load(12).op(OP.i32_eqz).brIf(label);
  a.localGet(cursor).load8u(0).i32Const(MINUS).op(OP.i32_eq).localSet(negative);
  a.localGet(cursor).localGet(negative).op(OP.i32_add).localSet(cursor);
  a.localGet(operand).load(8).localGet(operand).load(12).op(OP.i32_add).localSet(end);
  // 1 to 18 digits after the sign
  a.localGet(end).localGet(cursor).op(OP.i32_sub).op(OP.i32_eqz).brIf(label);
  a.localGet(end).localGet(cursor).op(OP.i32_sub).i32Const(EXACT_INTEGER_DIGITS).op(OP.i32_gt_u).brIf(label);
  // a leading 0 only as `0` itself
  a.block("no-leading-zero");
  a.localGet(cursor).load8u(0).i32Const(ZERO).op(OP.i32_ne).brIf("no-leading-zero");
  a.localGet(negative).brIf(label);
  a.localGet(end).localGet(cursor).op(OP.i32_sub).i32Const(1).op(OP.i32_ne).brIf(label);
  if (branchOnZero) a.br(label);
  a.end();
  a.loop("digit");
  // (byte - '0') > 9 unsigned: not a digit
  a.localGet(cursor).load8u(0).i32Const(ZERO).op(OP.i32_sub).i32Const(9).op(OP.i32_gt_u).brIf(label);
  a.localGet(cursor).i32Const(1).op(OP.i32_add).localTee(cursor).localGet(end).op(OP.i32_lt_u).brIf("digit");
  a.end();
  a.end();
}

/**
 * The host call of a native's guard (builtins/native-guards.ts): opa_builtin<N>(reserved id, ctx 0,
 * params) through the module's own import, which the host answers from NATIVE_GUARDS.
 */
function guardCall(a: Assembler, module: ParsedModule, guard: NativeGuard, params: number): void {
  const bridge = module.functionImports.get(`env.opa_builtin${params}`);
  if (bridge === undefined) throw new Error(`the module does not import opa_builtin${params} (needed for ${guard.builtin})`);
  a.i32Const(NATIVE_GUARD_ID_BASE + NATIVE_GUARDS.indexOf(guard)).i32Const(0);
  for (let i = 0; i < params; i++) a.localGet(i);
  a.call(bridge);
}

/**
 * (params) -> i32: a guarded native first asks the host, which throws topdown's error where
 * topdown errs; a native answered on the host returns the host's value. Then r = native(params);
 * r != NULL: r. NULL that topdown reads as undefined (max/min of an empty array or set): NULL.
 * Otherwise: opa_abort("<builtin>: ...").
 */
function checkerBody(module: ParsedModule, native: number, name: string, abort: number, malloc: number): Uint8Array {
  const info = nativeInfo(name);
  const guard = NATIVE_GUARDS.find((candidate) => candidate.native === name);
  const type = module.types[module.functionTypes[native - module.importedFunctions]!]!;
  if (type.results.length !== 1 || type.results[0] !== I32 || type.params.some((p) => p !== I32)) {
    throw new Error(`unexpected type of native ${info.builtin}`);
  }
  const params = type.params.length;
  const result = params;
  const message = params + 1;
  const a = new Assembler();
  if (guard?.mode === "host") {
    guardCall(a, module, guard, params);
    return Uint8Array.from([1, ...uleb(CHECKER_LOCALS), I32, ...a.finish(), OP.end]);
  }
  if (guard?.mode === "host-for-sets") {
    // operand setOperand a set: the host's answer; anything else: the native, checked below
    const operand = guard.setOperand!;
    a.block("native");
    a.localGet(operand).op(OP.i32_eqz).brIf("native");
    a.localGet(operand).load8u(0).i32Const(SET).op(OP.i32_ne).brIf("native");
    guardCall(a, module, guard, params);
    a.op(OP.return);
    a.end();
  } else if (guard?.mode === "host-when-contains") {
    // operand `operand` a string holding the bytes of `text`: the host's answer unless it defers
    // (NULL); anything else, or a deferral: the native, checked below
    const { operand, text } = guard.hostWhenContains!;
    const bytes = new TextEncoder().encode(text);
    const [str, i, end] = [params + 2, params + 3, params + 4];
    a.block("native");
    a.localGet(operand).op(OP.i32_eqz).brIf("native");
    // OPA_STRING 4 or OPA_STRING_INTERNED 8: { hdr, free, len @4, v @8 }
    a.localGet(operand).load8u(0).i32Const(STRING).op(OP.i32_eq);
    a.localGet(operand).load8u(0).i32Const(STRING_INTERNED).op(OP.i32_eq);
    a.op(OP.i32_or).op(OP.i32_eqz).brIf("native");
    a.localGet(operand).load(4).i32Const(bytes.byteLength).op(OP.i32_lt_u).brIf("native");
    a.localGet(operand).load(8).localSet(str);
    a.localGet(str).localGet(operand).load(4).op(OP.i32_add).i32Const(bytes.byteLength - 1).op(OP.i32_sub).localSet(end);
    a.localGet(str).localSet(i);
    a.block("found").loop("scan");
    a.localGet(i).localGet(end).op(OP.i32_ge_u).brIf("native");
    a.block("differs");
    bytes.forEach((byte, k) => {
      a.localGet(i).load8u(k).i32Const(byte).op(OP.i32_ne).brIf("differs");
    });
    a.br("found");
    a.end();
    a.localGet(i).i32Const(1).op(OP.i32_add).localSet(i);
    a.br("scan");
    a.end().end();
    guardCall(a, module, guard, params);
    a.localTee(result).if();
    a.localGet(result).op(OP.return);
    a.end();
    a.end();
  } else if (guard?.mode === "host-unless-ints") {
    // every operand an integer both compute exactly: the native; anything else: the host's answer
    // unless it defers (NULL), then the native, checked below
    a.block("native");
    a.block("host");
    // a zero divisor goes to the host too: topdown's error says "modulo by zero"
    for (let i = 0; i < params; i++) branchUnlessExactInteger(a, i, [params + 2, params + 3, params + 4], "host", guard.builtin === "rem" && i === 1);
    a.br("native");
    a.end();
    guardCall(a, module, guard, params);
    a.localTee(result).if();
    a.localGet(result).op(OP.return);
    a.end();
    a.end();
  } else if (guard?.mode === "host-or-native") {
    // the host's answer unless it defers (NULL); a deferral: the native, checked below
    guardCall(a, module, guard, params);
    a.localTee(result).if();
    a.localGet(result).op(OP.return);
    a.end();
  } else if (guard?.mode === "guard") {
    guardCall(a, module, guard, params);
    a.op(OP.drop);
  }
  if (!CHECKED_NATIVES[name]) {
    // A guarded native that cannot return NULL: its result as it is.
    for (let i = 0; i < params; i++) a.localGet(i);
    a.call(native);
    return Uint8Array.from([1, ...uleb(CHECKER_LOCALS), I32, ...a.finish(), OP.end]);
  }
  a.block("checked");
  for (let i = 0; i < params; i++) a.localGet(i);
  a.call(native).localTee(result).brIf("checked");
  if (guard?.mode === "host-on-null") {
    // refused by the native: topdown's answer (its error is thrown on the host); NULL from the
    // host too: the abort below
    guardCall(a, module, guard, params);
    a.localTee(result).brIf("checked");
  }
  if (info.nullMeans === "error-unless-array-or-set") {
    // The value header's first byte is its type (OPA_ARRAY 5, OPA_SET 7): no collection other
    // than an empty one makes max/min NULL (wasm/src/aggregates.c).
    a.localGet(0).load8u(0).i32Const(ARRAY).op(OP.i32_eq);
    a.localGet(0).load8u(0).i32Const(SET).op(OP.i32_eq);
    a.op(OP.i32_or).brIf("checked");
  }
  const text = new TextEncoder().encode(nativeErrorMessage(info.builtin) + "\0");
  const padded = new Uint8Array(Math.ceil(text.byteLength / 4) * 4);
  padded.set(text);
  a.i32Const(padded.byteLength).call(malloc).localSet(message);
  const words = new DataView(padded.buffer);
  for (let offset = 0; offset < padded.byteLength; offset += 4) {
    a.localGet(message).i32Const(words.getInt32(offset, true)).store(offset);
  }
  a.localGet(message).call(abort).op(OP.unreachable);
  a.end();
  a.localGet(result);
  const code = a.finish();
  return Uint8Array.from([1, ...uleb(CHECKER_LOCALS), I32, ...code, OP.end]);
}

/**
 * Calls `onCall(immediateStart, immediateEnd, callee)` for each `call` in a code body, decoding
 * every instruction (forEachInstruction).
 */
export function forEachCall(wasm: Uint8Array, start: number, end: number, onCall: (at: number, end: number, callee: number) => void): void {
  forEachInstruction(wasm, start, end, (op, at, immediateEnd, callee) => {
    if (op === OP.call) onCall(at, immediateEnd, callee);
  });
}

/**
 * Calls `visit(opcode, immediateStart, immediateEnd, first, second)` for each instruction of a
 * code body, where `first` and `second` are its first two LEB immediates (local and function
 * indices, constants, a load's alignment and offset; 0 where it has none). Every instruction is
 * decoded (immediates skipped by their encoding; a plain loop over the bytes, as this runs over
 * all the policy's code at every load); an unknown opcode throws.
 */
export function forEachInstruction(wasm: Uint8Array, start: number, end: number, visit: (op: number, at: number, end: number, first: number, second: number) => void): void {
  let at = start;
  const leb = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (at >= end) throw new Error("a code body's last instruction runs past its end");
      const b = wasm[at++]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
      shift += 7;
    }
  };
  for (let groups = leb(); groups > 0; groups--) {
    leb();
    at++;
  }
  while (at < end) {
    const op = wasm[at++]!;
    const immediate = at;
    let first = 0;
    let second = 0;
    if (op === 0x10) {
      first = leb();
    } else if ((op >= 0x45 && op <= 0xc4) || op === 0x20 || op === 0x21 || op === 0x22 || op === 0x41 || op === 0x42) {
      if (op < 0x45) first = leb(); // local.get/set/tee, i32/i64.const (read unsigned: only locals are compared); numeric instructions have no immediates
    } else if (op >= 0x28 && op <= 0x3e) {
      first = leb(); // align
      second = leb(); // offset
    } else if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x0c || op === 0x0d || op === 0x23 || op === 0x24 || op === 0x25 || op === 0x26 || op === 0xd2) {
      first = leb(); // block type (0x40, a value type or an s33 type index), a label, a global, a table, a function
    } else if (op === 0x0e) {
      for (let n = leb(); n >= 0; n--) leb(); // the targets, then the default
    } else if (op === 0x11) {
      first = leb();
      second = leb();
    } else if (op === 0x3f || op === 0x40 || op === 0xd0) {
      at++;
    } else if (op === 0x43) {
      at += 4;
    } else if (op === 0x44) {
      at += 8;
    } else if (op === 0x1c) {
      at += leb();
    } else if (op === 0xfc) {
      const sub = leb();
      if (sub <= 7) {
        // saturating truncations: no immediates
      } else if (sub === 8) (leb(), at++);
      else if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) leb();
      else if (sub === 10) at += 2;
      else if (sub === 11) at++;
      else if (sub === 12 || sub === 14) (leb(), leb());
      else throw new Error(`unknown instruction 0xfc ${sub}`);
    } else if (!(op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1)) {
      throw new Error(`unknown instruction 0x${op.toString(16)}`);
    }
    visit(op, immediate, at, first, second);
  }
  if (at !== end) throw new Error("a code body's last instruction runs past its end");
}
