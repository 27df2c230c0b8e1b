// Lookups as topdown makes them, in base data and in any array: a load-time rewrite.
//
// Why (base data): topdown reads a reference into base data (data.x.y[k], the documents `check --data`
// loads) from its store by path, each key made a path segment: the number 2 finds the object
// key "2", and the string "2" (or "02", "+2", as strconv.Atoi reads it) finds array element 2.
// OPA's wasm runtime compares keys as values, so there those lookups are undefined, and
// `deny if data.blocked_ports[input.port]` with ports written as JSON object keys would not fire
// (fail-open; OPA's compliance cases data/toplevel integer, data/nested integer). Only a reference
// converts: after `x := data.nested`, `x[2]` is a lookup in a value, undefined in topdown too.
// Why (any array): topdown's Array.Get reads a number index with Number.Int, util.Atoi64 of its
// text, which takes "2.0", "2.", ".0", "-0.0" as integers; the runtime's opa_number_try_int reads
// only a plain integer's text, so `input.list[2.0]` (or an index from to_number("2.0") or JSON
// input 2.0) is undefined in the wasm and found in topdown. builtin_object_get walks its path
// with opa_value_get too.
//
// What: OPA's compiler (internal/compiler/wasm) emits a DotStmt as `local.get S; <key>; call
// opa_value_get; local.tee T; i32.eqz; br_if 0` and a scan's value as `local.get S; local.get K;
// call opa_value_get; local.set V`. Every DotStmt of the policy's functions calls an appended
// value lookup instead, which returns opa_value_get's result and, on a miss of an array by a
// number the runtime holds as text, retries with the index util.Atoi64 reads (a scan's key is the
// array's own integer index: scans are left alone). From the data local (the plans' `eval` loads
// it from the context at offset 4; a rule's function gets it as parameter 1), the locals those
// make from a data local are data locals too; an assignment to a variable (AssignVarStmt:
// local.get; local.set) ends the chain, as binding a variable ends the reference in topdown. Each
// DotStmt on a data local calls the data lookup, which on the value lookup's miss retries with
// the key converted: a number key of an object as its JSON text (its literal, as topdown's
// Number.String), a string key of an array as a decimal integer with an optional sign. The calls
// of object.get's checker (strict-natives.ts) go to a walk of the path through the value lookup.
// Hits cost one extra call; misses of other key types, a type test.
//
// Limit: under `with data.x as v`, topdown reads v as a value, while here the mocked data is
// still data (so a number key of v converts here and not in topdown).

import { Assembler, OP, uleb, type AppendedFunction, type ParsedModule } from "./runtime-patch.js";
import { forEachInstruction, policyFunctions, type CallEdit } from "./strict-natives.js";

const I32 = 0x7f;
const I64 = 0x7e;
const NUMBER = 3;
const STRING = 4;
const STRING_INTERNED = 8; // the policy's string constants
const ARRAY = 5;
const NUMBER_REPR_REF = 2; // opa_number_t.repr of a number kept as its text
const OBJECT = 6;

export interface BaseDataKeyEdits {
  /** redirected calls of opa_value_get, by defined-function index */
  calls: Map<number, CallEdit[]>;
  /** the value lookup, the data lookup, and object.get's exact walk when the policy calls it
   * (none when no call was redirected) */
  appended: AppendedFunction[];
  /** calls of a checker to send to the function that wraps it instead (object.get's) */
  retarget: Map<number, number>;
  /** DotStmts on a data local (to the data lookup) */
  callSites: number;
  /** the other DotStmts (to the value lookup) */
  valueSites: number;
}

/** The runtime functions the converting lookups call, with the types they call them with. */
const RUNTIME: Record<string, { params: number[]; results: number[] }> = {
  opa_value_get: { params: [I32, I32], results: [I32] },
  opa_json_dump: { params: [I32], results: [I32] },
  opa_string_terminated: { params: [I32], results: [I32] },
  opa_strlen: { params: [I32], results: [I32] },
  opa_atoi64: { params: [I32, I32, I32], results: [I32] },
  opa_number_int: { params: [I64], results: [I32] },
  opa_malloc: { params: [I32], results: [I32] },
};

/**
 * The edits that make the policy's lookups convert their keys: every DotStmt to the value lookup
 * (an array's index given as a number topdown reads as an integer), a DotStmt on a data local to
 * the data lookup (that, and the store's key conversions). `appendAt` is the function index the
 * value lookup gets (after whatever other rewrites append first), the data lookup the next one.
 * Throws when the module lacks a runtime function the lookups need (the caller refuses it).
 */
export function baseDataKeyEdits(wasm: Uint8Array, module: ParsedModule, appendAt: number, checkerOf: ReadonlyMap<number, number> = new Map()): BaseDataKeyEdits {
  const valueGet = module.functionNames.get("opa_value_get");
  if (valueGet === undefined) return { calls: new Map(), appended: [], retarget: new Map(), callSites: 0, valueSites: 0 };
  const valueLookupIndex = appendAt;
  const dataLookupIndex = appendAt + 1;
  const evalIndex = module.functionNames.get("eval");
  const policyNames = new Map<number, string>();
  for (const [name, index] of module.functionNames) if (/^g\d+\./.test(name)) policyNames.set(index, name);

  const calls = new Map<number, CallEdit[]>();
  let callSites = 0;
  let valueSites = 0;
  for (const index of policyFunctions(module)) {
    const defined = index - module.importedFunctions;
    if (defined < 0) continue;
    const isEval = index === evalIndex;
    const params = module.types[module.functionTypes[defined]!]!.params.length;
    // the functions that see the data document: eval, and the rules' functions (input, data, ...)
    const seesData = isEval || (policyNames.has(index) && params >= 2);
    const body = module.bodies[defined]!;
    // One pass in code order, as the planner writes each rule body after the other and defines a
    // local before it uses it: a local is a data local from the definition that makes it one to the
    // next definition of it (the planner reuses locals across a function's bodies). The data local
    // itself stays one (a `with` replaces it with a copy of data and restores it afterwards).
    // Streamed, with the three instructions before the current one in hand (this runs at every load).
    const data = new Set<number>();
    let root: number | undefined = seesData && !isEval ? 1 : undefined;
    if (root !== undefined) data.add(root);
    const sites: CallEdit[] = [];
    // the previous instruction, and the two before it
    let op1 = -1, first1 = 0, second1 = 0, at1 = 0, end1 = 0;
    let op2 = -1, first2 = 0, op3 = -1, first3 = 0;
    forEachInstruction(wasm, body.start, body.end, (op, at, end, first, second) => {
      if (op === OP.local_set || op === OP.local_tee) {
        const lookup = op1 === OP.call && first1 === valueGet && op3 === OP.local_get;
        // a DotStmt: local.get S; <key>; call opa_value_get; local.tee T (ObjectInsertOnceStmt
        // reads the same on an object, where the value lookup changes nothing)
        const dot = lookup && op === OP.local_tee && (op2 === OP.local_get || op2 === OP.i32_const);
        const onData = lookup && data.has(first3);
        if (dot) {
          sites.push({ at: at1, end: end1, callee: onData ? dataLookupIndex : valueLookupIndex });
          if (onData) callSites++;
          else valueSites++;
        }
        if (first === root) {
          // stays the data local
        } else if (isEval && root === undefined && op === OP.local_set && op1 === OP.i32_load && second1 === 4 && op2 === OP.local_get) {
          // eval: local.get ctx; i32.load offset=4; local.set D (compilePlans: the context's data)
          root = first;
          data.add(root);
        } else if ((dot && onData) || (onData && op === OP.local_set && op2 === OP.local_get)) {
          data.add(first); // a DotStmt on a data local, or a scan's value
        } else {
          data.delete(first);
        }
      }
      op3 = op2;
      first3 = first2;
      op2 = op1;
      first2 = first1;
      op1 = op;
      first1 = first;
      second1 = second;
      at1 = at;
      end1 = end;
    });
    if (sites.length > 0) calls.set(defined, sites);
  }
  // object.get's path walk (builtin_object_get calls opa_value_get itself): its checked calls go
  // to a walk through the value lookup, as topdown's Term.Get walks the path
  const objectGet = module.functionNames.get("builtin_object_get");
  const objectGetChecker = objectGet === undefined ? undefined : checkerOf.get(objectGet);
  if (callSites + valueSites === 0 && objectGetChecker === undefined) return { calls, appended: [], retarget: new Map(), callSites, valueSites };
  const type = module.functionTypes[valueGet - module.importedFunctions]!;
  const fn = runtimeFunctions(module);
  const appended: AppendedFunction[] = [
    { type, body: valueLookup(fn) },
    { type, body: dataLookup(fn, valueLookupIndex) },
  ];
  const retarget = new Map<number, number>();
  if (objectGetChecker !== undefined) {
    retarget.set(objectGetChecker, appendAt + appended.length);
    appended.push({ type: module.functionTypes[objectGet! - module.importedFunctions]!, body: objectGetWalk(valueLookupIndex, objectGetChecker) });
  }
  return { calls, appended, retarget, callSites, valueSites };
}

/**
 * object.get(obj, path, default) with an array path on an object: each step through the value
 * lookup (an array's index as Number.Int reads it), the default at the first miss, the object
 * itself for an empty path (builtin_object_get's and topdown's result). Any other operands go to
 * the native's checker as before (a non-object errs there).
 */
function objectGetWalk(valueLookupIndex: number, checker: number): Uint8Array {
  const [object, path, fallback, current, i, length, elems] = [0, 1, 2, 3, 4, 5, 6];
  const a = new Assembler();
  a.block("native");
  a.localGet(object).load8u(0).i32Const(OBJECT).op(OP.i32_ne).brIf("native");
  a.localGet(path).load8u(0).i32Const(ARRAY).op(OP.i32_ne).brIf("native");
  // opa_array_t: elems at 4, len at 8; each element {i, v} 8 bytes, the value at 4
  a.localGet(object).localSet(current);
  a.localGet(path).load(4).localSet(elems);
  a.localGet(path).load(8).localSet(length);
  a.i32Const(0).localSet(i);
  a.block("walked");
  a.loop("step");
  a.localGet(i).localGet(length).op(OP.i32_ge_u).brIf("walked");
  a.localGet(current).localGet(elems).localGet(i).i32Const(3).op(OP.i32_shl).op(OP.i32_add).load(4).call(valueLookupIndex).localTee(current);
  a.op(OP.i32_eqz).if().localGet(fallback).op(OP.return).end();
  a.localGet(i).i32Const(1).op(OP.i32_add).localSet(i);
  a.br("step");
  a.end();
  a.end();
  a.localGet(current).op(OP.return);
  a.end();
  a.localGet(object).localGet(path).localGet(fallback).call(checker);
  const code = a.finish();
  return Uint8Array.from([1, ...uleb(4), I32, ...code, OP.end]);
}

function runtimeFunctions(module: ParsedModule): Record<string, number> {
  const fn: Record<string, number> = {};
  for (const [name, type] of Object.entries(RUNTIME)) {
    const index = module.functionNames.get(name);
    if (index === undefined || index < module.importedFunctions) throw new Error(`the module has no ${name}`);
    const actual = module.types[module.functionTypes[index - module.importedFunctions]!]!;
    if (actual.params.join() !== type.params.join() || actual.results.join() !== type.results.join()) throw new Error(`unexpected type of ${name}`);
    fn[name] = index;
  }
  return fn;
}

/**
 * (value, key) -> opa_value_get(value, key), or on a miss: an array's key that is a number
 * whose text util.Atoi64 reads as an integer (topdown's Array.Get through Number.Int: "2.0",
 * "2.", ".0", "-0.0", "002.0", at most 19 characters after the sign) as that integer. The runtime
 * reads only a plain integer's text (opa_number_try_int), so `input.list[2.0]` misses there.
 */
function valueLookup(fn: Record<string, number>): Uint8Array {
  const [value, key, result, text, body, bodyLength, dot, i, ch, digits, scratch] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const a = new Assembler();
  a.block("done");
  a.localGet(value).localGet(key).call(fn.opa_value_get!).localTee(result).brIf("done");
  a.localGet(value).load8u(0).i32Const(ARRAY).op(OP.i32_ne).brIf("done");
  a.localGet(key).load8u(0).i32Const(NUMBER).op(OP.i32_ne).brIf("done");
  // a number held as an integer missed for good; one held as its text (opa_number_t.repr, the
  // byte after the type) is read as topdown reads it
  a.localGet(key).load8u(1).i32Const(NUMBER_REPR_REF).op(OP.i32_ne).brIf("done");
  a.localGet(key).call(fn.opa_json_dump!).localTee(text).localTee(body).call(fn.opa_strlen!).localSet(bodyLength);
  a.block("unsigned");
  a.localGet(text).load8u(0).i32Const(0x2d).op(OP.i32_eq).localGet(text).load8u(0).i32Const(0x2b).op(OP.i32_eq).op(OP.i32_or);
  a.op(OP.i32_eqz).brIf("unsigned");
  a.localGet(text).i32Const(1).op(OP.i32_add).localSet(body);
  a.localGet(bodyLength).i32Const(1).op(OP.i32_sub).localSet(bodyLength);
  a.end();
  // 1 to 19 characters after the sign
  a.localGet(bodyLength).i32Const(1).op(OP.i32_sub).i32Const(19).op(OP.i32_ge_u).brIf("done");
  // at most one '.', only zeros after it (the digits before it opa_atoi64 checks)
  a.localGet(bodyLength).localSet(dot);
  a.i32Const(0).localSet(i);
  a.block("scanned");
  a.loop("scan");
  a.localGet(i).localGet(bodyLength).op(OP.i32_ge_u).brIf("scanned");
  a.localGet(body).localGet(i).op(OP.i32_add).load8u(0).localSet(ch);
  a.localGet(i).i32Const(1).op(OP.i32_add).localSet(i);
  a.block("not-dot");
  a.localGet(ch).i32Const(0x2e).op(OP.i32_ne).brIf("not-dot");
  a.localGet(dot).localGet(bodyLength).op(OP.i32_ne).brIf("done");
  a.localGet(i).i32Const(1).op(OP.i32_sub).localSet(dot);
  a.br("scan");
  a.end();
  a.localGet(dot).localGet(bodyLength).op(OP.i32_eq).brIf("scan");
  a.localGet(ch).i32Const(0x30).op(OP.i32_ne).brIf("done");
  a.br("scan");
  a.end();
  a.end();
  // the integer part: the text before the dot with its '-' (opa_atoi64 reads it), without a '+';
  // none (".0") is 0, as in util.Atoi64
  a.localGet(body).localGet(text).load8u(0).i32Const(0x2d).op(OP.i32_eq).op(OP.i32_sub).localSet(digits);
  a.i32Const(8).call(fn.opa_malloc!).localTee(scratch).i64Const(0).store64(0);
  a.block("zero");
  a.localGet(body).localGet(dot).op(OP.i32_add).localGet(digits).op(OP.i32_sub).localTee(i).op(OP.i32_eqz).brIf("zero");
  a.localGet(digits).localGet(i).localGet(scratch).call(fn.opa_atoi64!).brIf("done");
  a.end();
  // a negative index misses in opa_value_get as in Array.Get
  a.localGet(value).localGet(scratch).load64(0).call(fn.opa_number_int!).call(fn.opa_value_get!).localSet(result);
  a.end();
  a.localGet(result);
  const code = a.finish();
  return Uint8Array.from([1, ...uleb(9), I32, ...code, OP.end]);
}

/**
 * (value, key) -> the value lookup, or on a miss: an object's key that is a number looked up as
 * its JSON text, an array's key that is a string of decimal digits (optional sign) as that integer.
 */
function dataLookup(fn: Record<string, number>, valueLookupIndex: number): Uint8Array {
  const [value, key, result, dumped, digits, length, scratch] = [0, 1, 2, 3, 4, 5, 6];
  const a = new Assembler();
  a.block("done");
  a.localGet(value).localGet(key).call(valueLookupIndex).localTee(result).brIf("done");

  // object[number]: the number's text as the key
  a.block("not-object-number");
  a.localGet(value).load8u(0).i32Const(OBJECT).op(OP.i32_ne).brIf("not-object-number");
  a.localGet(key).load8u(0).i32Const(NUMBER).op(OP.i32_ne).brIf("not-object-number");
  a.localGet(value).localGet(key).call(fn.opa_json_dump!).call(fn.opa_string_terminated!).call(fn.opa_value_get!).localSet(result);
  a.br("done");
  a.end();

  // array[string]: the string as strconv.Atoi reads it (the JSON text without its quotes; a
  // string that needs escapes is no integer, and opa_atoi64 refuses the backslash)
  a.localGet(value).load8u(0).i32Const(ARRAY).op(OP.i32_ne).brIf("done");
  a.localGet(key).load8u(0).i32Const(STRING).op(OP.i32_ne);
  a.localGet(key).load8u(0).i32Const(STRING_INTERNED).op(OP.i32_ne);
  a.op(OP.i32_and).brIf("done");
  a.localGet(key).call(fn.opa_json_dump!).localTee(dumped).call(fn.opa_strlen!).i32Const(2).op(OP.i32_sub).localSet(length);
  a.localGet(dumped).i32Const(1).op(OP.i32_add).localSet(digits);
  a.block("no-plus");
  a.localGet(digits).load8u(0).i32Const(0x2b).op(OP.i32_ne).brIf("no-plus");
  a.localGet(digits).i32Const(1).op(OP.i32_add).localSet(digits);
  a.localGet(length).i32Const(1).op(OP.i32_sub).localSet(length);
  a.end();
  // a digit must follow the optional '-' (opa_atoi64 reads "-" alone as 0; Atoi refuses it);
  // at worst that reads the closing quote, which is no digit
  a.localGet(digits).localGet(digits).load8u(0).i32Const(0x2d).op(OP.i32_eq).op(OP.i32_add).load8u(0);
  a.i32Const(0x30).op(OP.i32_sub).i32Const(10).op(OP.i32_ge_u).brIf("done");
  a.i32Const(8).call(fn.opa_malloc!).localSet(scratch);
  a.localGet(digits).localGet(length).localGet(scratch).call(fn.opa_atoi64!).brIf("done");
  a.localGet(value).localGet(scratch).load64(0).call(fn.opa_number_int!).call(fn.opa_value_get!).localSet(result);
  a.end();
  a.localGet(result);
  const code = a.finish();
  return Uint8Array.from([1, ...uleb(5), I32, ...code, OP.end]);
}
