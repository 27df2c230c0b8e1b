// Lookups in base data documents as topdown makes them: a load-time rewrite.
//
// Why: topdown reads a reference into base data (data.x.y[k], the documents `check --data`
// loads) from its store by path, each key made a path segment: the number 2 finds the object
// key "2", and the string "2" (or "02", "+2", as strconv.Atoi reads it) finds array element 2.
// OPA's wasm runtime compares keys as values, so there those lookups are undefined, and
// `deny if data.blocked_ports[input.port]` with ports written as JSON object keys would not fire
// (fail-open; OPA's compliance cases data/toplevel integer, data/nested integer). Only a reference
// converts: after `x := data.nested`, `x[2]` is a lookup in a value, undefined in topdown too.
//
// What: OPA's compiler (internal/compiler/wasm) emits a DotStmt as `local.get S; <key>; call
// opa_value_get; local.tee T; i32.eqz; br_if 0` and a scan's value as `local.get S; local.get K;
// call opa_value_get; local.set V`. From the data local (the plans' `eval` loads it from the
// context at offset 4; a rule's function gets it as parameter 1), the locals those make from a
// data local are data locals too; an assignment to a variable (AssignVarStmt: local.get; local.set)
// ends the chain, as binding a variable ends the reference in topdown. Each DotStmt on a data
// local calls an appended function instead, which returns opa_value_get's result, and on a miss
// retries with the key converted: a number key of an object as its JSON text (its literal, as
// topdown's Number.String), a string key of an array as a decimal integer with an optional sign.
// Hits cost one extra call; misses of other key types, nothing more.
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
const OBJECT = 6;

export interface BaseDataKeyEdits {
  /** redirected calls of opa_value_get, by defined-function index */
  calls: Map<number, CallEdit[]>;
  /** the converting lookup (none when no call was redirected) */
  appended: AppendedFunction[];
  callSites: number;
}

/** The runtime functions the converting lookup calls, with the types it calls them with. */
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
 * The edits that make the policy's lookups in base data convert their keys. `appendAt` is the
 * function index the appended lookup gets (after whatever other rewrites append first).
 * Throws when the module lacks a runtime function the lookup needs (the caller refuses it).
 */
export function baseDataKeyEdits(wasm: Uint8Array, module: ParsedModule, appendAt: number): BaseDataKeyEdits {
  const valueGet = module.functionNames.get("opa_value_get");
  if (valueGet === undefined) return { calls: new Map(), appended: [], callSites: 0 };
  const evalIndex = module.functionNames.get("eval");
  const policyNames = new Map<number, string>();
  for (const [name, index] of module.functionNames) if (/^g\d+\./.test(name)) policyNames.set(index, name);

  const calls = new Map<number, CallEdit[]>();
  let callSites = 0;
  for (const index of policyFunctions(module)) {
    const defined = index - module.importedFunctions;
    if (defined < 0) continue;
    const isEval = index === evalIndex;
    const params = module.types[module.functionTypes[defined]!]!.params.length;
    if (!isEval && !(policyNames.has(index) && params >= 2)) continue;
    const body = module.bodies[defined]!;
    // One pass in code order, as the planner writes each rule body after the other and defines a
    // local before it uses it: a local is a data local from the definition that makes it one to the
    // next definition of it (the planner reuses locals across a function's bodies). The data local
    // itself stays one (a `with` replaces it with a copy of data and restores it afterwards).
    // Streamed, with the three instructions before the current one in hand (this runs at every load).
    const data = new Set<number>();
    let root: number | undefined = isEval ? undefined : 1;
    if (root !== undefined) data.add(root);
    const sites: CallEdit[] = [];
    // the previous instruction, and the two before it
    let op1 = -1, first1 = 0, second1 = 0, at1 = 0, end1 = 0;
    let op2 = -1, first2 = 0, op3 = -1, first3 = 0;
    forEachInstruction(wasm, body.start, body.end, (op, at, end, first, second) => {
      if ((op === OP.local_set || op === OP.local_tee) && first !== root) {
        if (root === undefined && op === OP.local_set && op1 === OP.i32_load && second1 === 4 && op2 === OP.local_get) {
          // eval: local.get ctx; i32.load offset=4; local.set D (compilePlans: the context's data)
          root = first;
          data.add(root);
        } else {
          const lookup = op1 === OP.call && first1 === valueGet && op3 === OP.local_get && data.has(first3);
          if (lookup && op === OP.local_tee && (op2 === OP.local_get || op2 === OP.i32_const)) {
            data.add(first); // a DotStmt on a data local
            sites.push({ at: at1, end: end1, callee: appendAt });
          } else if (lookup && op === OP.local_set && op2 === OP.local_get) {
            data.add(first); // a scan's value
          } else {
            data.delete(first);
          }
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
    if (sites.length === 0) continue;
    callSites += sites.length;
    calls.set(defined, sites);
  }
  if (callSites === 0) return { calls, appended: [], callSites };
  return { calls, appended: [{ type: module.functionTypes[valueGet - module.importedFunctions]!, body: convertingLookup(module) }], callSites };
}

/**
 * (value, key) -> opa_value_get(value, key), or on a miss: an object's key that is a number
 * looked up as its JSON text, an array's key that is a string of decimal digits (optional sign)
 * as that integer.
 */
function convertingLookup(module: ParsedModule): Uint8Array {
  const fn: Record<string, number> = {};
  for (const [name, type] of Object.entries(RUNTIME)) {
    const index = module.functionNames.get(name);
    if (index === undefined || index < module.importedFunctions) throw new Error(`the module has no ${name}`);
    const actual = module.types[module.functionTypes[index - module.importedFunctions]!]!;
    if (actual.params.join() !== type.params.join() || actual.results.join() !== type.results.join()) throw new Error(`unexpected type of ${name}`);
    fn[name] = index;
  }
  const [value, key, result, dumped, digits, length, scratch] = [0, 1, 2, 3, 4, 5, 6];
  const a = new Assembler();
  a.block("done");
  a.localGet(value).localGet(key).call(fn.opa_value_get!).localTee(result).brIf("done");

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
