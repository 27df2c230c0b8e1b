// Values across the boundary between JavaScript and a policy's wasm memory, for the two places
// evaluation crosses it: calls out to JavaScript builtins (`sprintf`, `regex.split`, time...) and
// the result of each entrypoint.
//
// Why: the SDK moves every builtin argument out as JSON text (the wasm writes it, the SDK scans
// it byte by byte for its end with a new TextDecoder per call, then JSON.parse) and every result
// back in as JSON text (a new TextEncoder per call). With 2-4 builtin calls per input, that was
// ~4 us of a ~27 us evaluation (docs/performance.md).
//
// What: values are read straight from OPA's value structs (value.h: a type byte, then per type
// the fields below) into the JavaScript value JSON.parse would have made of the runtime's own JSON
// dump: sets become arrays, numbers become doubles. Sets and object keys come out in OPA's order
// (ast.Compare), as `opa eval` lists them and the runtime, iterating sorted
// (sorted-iteration.ts), dumps them; a set is marked as a set (builtins/values.ts); builtins
// that declare `exactNumbers` get numbers as their text (readExact). Anything the
// reader does not handle the same way (an object with a non-string key, which the dump writes as
// JSON text, or nesting deep enough to exhaust the stack) goes through the dump as before.
// Results go in as JSON text encoded straight into wasm memory and parsed by the runtime; a
// string result (sprintf's) is written as a string struct, as the runtime's own values are.
//
// Safety: direct reads are used only when, at instantiation, they read a probe value covering
// every type and representation (parsed by the runtime itself) exactly as the runtime's JSON dump
// does, and strings written as structs dump back unchanged (`verifyDirectReads`); otherwise every
// value goes through the dump and every result through JSON.
// test/host-bridge.test.ts compares the two on generated values.

import { compareStrings, compareValues, holdsSet, markSet, regoText, RegoNumber, RegoObject } from "./builtins/values.js";
import { BuiltinError } from "./builtins/errors.js";

/** The OPA wasm ABI exports the bridge calls. */
export interface BridgeExports {
  opa_malloc(bytes: number): number;
  opa_json_parse(addr: number, length: number): number;
  opa_value_parse(addr: number, length: number): number;
  opa_json_dump(valueAddr: number): number;
}

// Type tags (value.h).
const NULL = 1;
const BOOLEAN = 2;
const NUMBER = 3;
const STRING = 4;
const ARRAY = 5;
const OBJECT = 6;
const SET = 7;
const STRING_INTERNED = 8;
const BOOLEAN_INTERNED = 9;
const NUMBER_REPR_INT = 1;
const NUMBER_REPR_REF = 2;

/** Thrown inside the reader for a value it leaves to the dump. */
class NotDirect extends Error {}

/** An object key that is not a string: the dump writes it as its JSON text, losing its type. */
class NonStringKey extends NotDirect {}

/**
 * A number past the double range (1e400, or json.unmarshal's 1e2147483648, which OPA itself
 * refuses) would read as Infinity and be reported as null: refused instead (an evaluation error).
 */
function finite(value: number, text: string): number {
  if (!Number.isFinite(value)) throw new Error(`the policy produced a number beyond the range gatehouse can report exactly (${text.length > 40 ? `${text.slice(0, 40)}...` : text})`);
  return value;
}

const TWO_TO_32 = 4294967296;

export class HostBridge {
  readonly #memory: WebAssembly.Memory;
  readonly #exports: BridgeExports;
  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder();
  #buffer: ArrayBuffer;
  #bytes: Uint8Array;
  /** the same memory as a Buffer, for its native UTF-8 decoding and encoding */
  #node: Buffer;
  #view: DataView;
  /** Whether values are read from the structs (true once verifyDirectReads passed). */
  #direct = false;
  /** Numbers read as RegoNumber (their text), for builtins that declare exactNumbers. */
  #exactNumbers = false;
  /** An object with a key that is not a string read as a RegoObject (readForText), not refused. */
  #typedKeys = false;

  constructor(memory: WebAssembly.Memory, exports: BridgeExports) {
    this.#memory = memory;
    this.#exports = exports;
    this.#buffer = memory.buffer;
    this.#bytes = new Uint8Array(this.#buffer);
    this.#node = Buffer.from(this.#buffer);
    this.#view = new DataView(this.#buffer);
  }

  get directReads(): boolean {
    return this.#direct;
  }

  /**
   * Views of the memory as it is now: any call into the wasm may have grown it, which detaches
   * the old buffer (its views then have length 0; a wasm memory is never empty). Checking the
   * view is cheaper than asking the memory for its buffer on every call.
   */
  #refresh(): void {
    if (this.#bytes.byteLength === 0) {
      this.#buffer = this.#memory.buffer;
      this.#bytes = new Uint8Array(this.#buffer);
      this.#node = Buffer.from(this.#buffer);
      this.#view = new DataView(this.#buffer);
    }
  }

  /** The JavaScript value of the OPA value at `addr`: what JSON.parse makes of its JSON dump. */
  read(addr: number): unknown {
    this.#refresh();
    if (this.#direct) {
      try {
        return this.#read(addr);
      } catch (error) {
        if (!(error instanceof NotDirect) && !(error instanceof RangeError)) throw error;
      }
    }
    return this.readThroughDump(addr);
  }

  /**
   * A host builtin's argument: read() (readExact() when `exact`), except that an object with a
   * key that is not a string is refused. The dump would hand the builtin `{"1": "a"}` for
   * `{1: "a"}`, so object.subset({1: "a"}, {"1": "a"}) was true where topdown says false; the
   * builtin cannot answer as topdown does, and the call errs (fail closed).
   */
  readArgument(addr: number, exact: boolean, builtin: string): unknown {
    this.#refresh();
    if (this.#direct) {
      this.#exactNumbers = exact;
      try {
        return this.#read(addr);
      } catch (error) {
        if (error instanceof NonStringKey) {
          throw new BuiltinError(`${builtin}: an object with a key that is not a string cannot be passed to this builtin (gatehouse answers it outside the wasm runtime, where object keys are strings)`);
        }
        if (!(error instanceof NotDirect) && !(error instanceof RangeError)) throw error;
      } finally {
        this.#exactNumbers = false;
      }
    }
    return exact ? this.readExact(addr) : this.read(addr);
  }

  /**
   * The same, with every number as a RegoNumber holding the runtime's text (exact past 2^53, and
   * 1e2 apart from 100). Through the dump (the rare fallback), numbers are doubles as in read().
   */
  readExact(addr: number): unknown {
    this.#exactNumbers = true;
    try {
      return this.read(addr);
    } finally {
      this.#exactNumbers = false;
    }
  }

  /**
   * An argument of a builtin that only renders its value as text (sprintf): as read() /
   * readExact(), except that an object with a key that is not a string is a RegoObject keeping
   * each key's type, so the text is topdown's (`{1: 2}`). Through the dump (the rare fallback),
   * such a key is its JSON text.
   */
  readForText(addr: number, exact: boolean): unknown {
    this.#typedKeys = true;
    try {
      return exact ? this.readExact(addr) : this.read(addr);
    } finally {
      this.#typedKeys = false;
    }
  }

  /** The same through the runtime's JSON dump (the SDK's way; the reference for the direct reader). */
  readThroughDump(addr: number): unknown {
    const text = this.#exports.opa_json_dump(addr);
    this.#refresh();
    return JSON.parse(this.cString(text), (_key, value: unknown) => (typeof value === "number" ? finite(value, "a number") : value));
  }

  /** A NUL-terminated UTF-8 string in wasm memory. */
  cString(addr: number): string {
    this.#refresh();
    const end = this.#bytes.indexOf(0, addr);
    return this.#decoder.decode(this.#bytes.subarray(addr, end < 0 ? this.#bytes.length : end));
  }

  #read(addr: number): unknown {
    const bytes = this.#bytes;
    const view = this.#view;
    switch (bytes[addr]) {
      case NULL:
        return null;
      case BOOLEAN:
      case BOOLEAN_INTERNED:
        return bytes[addr + 1] !== 0;
      case NUMBER:
        return this.#exactNumbers ? this.#numberText(addr) : this.#number(addr);
      case STRING:
      case STRING_INTERNED:
        return this.#string(view.getUint32(addr + 8, true), view.getUint32(addr + 4, true));
      case ARRAY: {
        const elems = view.getUint32(addr + 4, true);
        const length = view.getUint32(addr + 8, true);
        const out = new Array<unknown>(length);
        // opa_array_elem_t: { opa_value *i; opa_value *v; }
        for (let i = 0; i < length; i++) out[i] = this.#read(view.getUint32(elems + 8 * i + 4, true));
        return out;
      }
      case OBJECT: {
        // opa_object_elem_t: { opa_value *k; opa_value *v; opa_object_elem_t *next; }, chained
        // from n buckets; the keys are then put in the order the runtime iterates them (sorted
        // as topdown sorts them: sorted-iteration.ts), the order its dump writes them in.
        const buckets = view.getUint32(addr + 4, true);
        const n = view.getUint32(addr + 8, true);
        const keys: string[] = [];
        const values: number[] = [];
        for (let b = 0; b < n; b++) {
          for (let elem = view.getUint32(buckets + 4 * b, true); elem !== 0; elem = view.getUint32(elem + 8, true)) {
            const keyAddr = view.getUint32(elem, true);
            const keyType = bytes[keyAddr];
            if (keyType !== STRING && keyType !== STRING_INTERNED) {
              if (this.#typedKeys) return this.#typedObject(buckets, n);
              throw new NonStringKey();
            }
            keys.push(this.#string(view.getUint32(keyAddr + 8, true), view.getUint32(keyAddr + 4, true)));
            values.push(view.getUint32(elem + 4, true));
          }
        }
        let order: number[] | undefined;
        if (keys.length > 1) {
          order = keys.map((_, i) => i);
          order.sort((x, y) => compareStrings(keys[x]!, keys[y]!));
        }
        const out: Record<string, unknown> = {};
        for (let j = 0; j < keys.length; j++) {
          const i = order ? order[j]! : j;
          const key = keys[i]!;
          const value = this.#read(values[i]!);
          // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype.
          if (key === "__proto__") Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
          else out[key] = value;
        }
        return out;
      }
      case SET: {
        // opa_set_elem_t: { opa_value *v; opa_set_elem_t *next; }; the dump writes a set as an array.
        const out: unknown[] = [];
        const buckets = view.getUint32(addr + 4, true);
        const n = view.getUint32(addr + 8, true);
        for (let b = 0; b < n; b++) {
          for (let elem = view.getUint32(buckets + 4 * b, true); elem !== 0; elem = view.getUint32(elem + 4, true)) {
            out.push(this.#read(view.getUint32(elem, true)));
          }
        }
        // The runtime keeps a set in hash buckets; OPA orders a set's members (ast.Compare).
        if (out.length > 1) out.sort(compareValues);
        return markSet(out);
      }
      default:
        throw new NotDirect();
    }
  }

  /** An object some of whose keys are not strings, as a RegoObject in OPA's key order. */
  #typedObject(buckets: number, n: number): RegoObject {
    const view = this.#view;
    const entries: [unknown, unknown][] = [];
    for (let b = 0; b < n; b++) {
      for (let elem = view.getUint32(buckets + 4 * b, true); elem !== 0; elem = view.getUint32(elem + 8, true)) {
        entries.push([this.#read(view.getUint32(elem, true)), this.#read(view.getUint32(elem + 4, true))]);
      }
    }
    entries.sort((x, y) => compareValues(x[0], y[0]));
    return new RegoObject(entries);
  }

  /** opa_number_t: type, repr, then at offset 8 either an int64 or { const char *s; size_t len; }. */
  #number(addr: number): number {
    const view = this.#view;
    const repr = this.#bytes[addr + 1];
    if (repr === NUMBER_REPR_INT) {
      const low = view.getUint32(addr + 8, true);
      const high = view.getInt32(addr + 12, true);
      // high * 2^32 is exact, and one correctly rounded addition gives the double nearest the
      // integer: what JSON.parse makes of its digits.
      return high * TWO_TO_32 + low;
    }
    if (repr === NUMBER_REPR_REF) {
      const text = this.#string(view.getUint32(addr + 8, true), view.getUint32(addr + 12, true));
      return finite(JSON.parse(text) as number, text);
    }
    throw new NotDirect();
  }

  /** A number's exact text: an int64 in decimal, or the text a ref number holds. */
  #numberText(addr: number): RegoNumber {
    const view = this.#view;
    const repr = this.#bytes[addr + 1];
    if (repr === NUMBER_REPR_INT) {
      const low = view.getUint32(addr + 8, true);
      const high = view.getInt32(addr + 12, true);
      const approx = high * TWO_TO_32 + low;
      return new RegoNumber(Number.isSafeInteger(approx) ? String(approx) : ((BigInt(high) << 32n) + BigInt(low)).toString());
    }
    if (repr === NUMBER_REPR_REF) return new RegoNumber(this.#string(view.getUint32(addr + 8, true), view.getUint32(addr + 12, true)));
    throw new NotDirect();
  }

  #string(start: number, length: number): string {
    if (length <= 8) {
      // Very short ASCII strings (many keys) are cheaper to build than to decode natively.
      const bytes = this.#bytes;
      let text = "";
      for (let i = start; i < start + length; i++) {
        const c = bytes[i]!;
        if (c >= 0x80) return this.#node.toString("utf8", start, start + length);
        text += String.fromCharCode(c);
      }
      return text;
    }
    // Buffer's UTF-8 decoding (replacement characters included) is TextDecoder's, and faster.
    return this.#node.toString("utf8", start, start + length);
  }

  /**
   * Loads a builtin's result into the wasm: an ArrayBuffer as the JSON text it holds (exact
   * numbers, see builtins/exact.ts), a value holding sets (builtins/values.ts, markSet) as Rego
   * text, anything else as its JSON. `undefined` is 0 (no value).
   */
  load(value: unknown): number {
    if (value === undefined) return 0;
    if (typeof value === "string" && this.#direct) return this.#loadString(value);
    let addr: number;
    let length: number;
    if (value instanceof ArrayBuffer) {
      length = value.byteLength;
      addr = this.#exports.opa_malloc(length);
      this.#refresh();
      this.#bytes.set(new Uint8Array(value), addr);
    } else if (holdsSet(value)) {
      // Sets: Rego literal text, parsed by the runtime's value parser (JSON has no sets).
      const parsed = this.#parse(regoText(value), true);
      if (parsed === 0) throw new Error("a builtin's result is not a valid Rego value");
      return parsed;
    } else {
      const text = JSON.stringify(value) as string | undefined;
      if (text === undefined) throw new Error(`a builtin returned a value JSON cannot hold (${typeof value})`);
      length = Buffer.byteLength(text, "utf8");
      addr = this.#exports.opa_malloc(length);
      this.#refresh();
      this.#node.write(text, addr, length, "utf8");
    }
    const parsed = this.#exports.opa_json_parse(addr, length);
    if (parsed === 0) throw new Error("a builtin's result is not valid JSON");
    return parsed;
  }

  /**
   * A string result (sprintf's, the usual one) as a string struct { type, free, len, v } with its
   * UTF-8 bytes right after it, in one allocation: `free` = 0 says the bytes are not a separate
   * allocation, so freeing the struct frees both (opa_string_free).
   */
  #loadString(text: string): number {
    const length = Buffer.byteLength(text, "utf8");
    const addr = this.#exports.opa_malloc(12 + length);
    this.#refresh();
    const bytes = this.#bytes;
    bytes[addr] = STRING;
    bytes[addr + 1] = 0;
    this.#view.setUint32(addr + 4, length, true);
    this.#view.setUint32(addr + 8, addr + 12, true);
    this.#node.write(text, addr + 12, length, "utf8");
    return addr;
  }

  /**
   * Turns direct reads on if they agree with the runtime's dump on a probe value with every type
   * and representation the reader handles. Returns whether they do.
   */
  verifyDirectReads(): boolean {
    this.#direct = false;
    try {
      for (const [text, isSet] of PROBES) {
        const value = this.#parse(text, isSet);
        if (value === 0) return false;
        const expected = JSON.stringify(this.readThroughDump(value));
        this.#refresh();
        if (JSON.stringify(this.#read(value)) !== expected) return false;
      }
      // Integer-represented numbers: an array's index values (opa_array_elem_t.i) are 0, 1, ...
      const array = this.#parse(JSON.stringify(Array.from({ length: 12 }, (_, i) => `e${i}`)), false);
      const elems = this.#view.getUint32(array + 4, true);
      for (let i = 0; i < 12; i++) {
        const index = this.#view.getUint32(elems + 8 * i, true);
        if (this.#bytes[index] !== NUMBER || this.#bytes[index + 1] !== NUMBER_REPR_INT || this.#number(index) !== i) return false;
      }
      // Strings written as structs must dump as the same strings.
      for (const text of ["", "ascii text", "quote \" and \\ and \n", "é 中文 😀", "x".repeat(300)]) {
        if (this.readThroughDump(this.#loadString(text)) !== text) return false;
      }
      this.#direct = true;
    } catch {
      this.#direct = false;
    }
    return this.#direct;
  }

  /** Parses probe text in the runtime: JSON, or with set literals (opa_value_parse). 0 if refused. */
  #parse(text: string, setLiterals: boolean): number {
    const bytes = this.#encoder.encode(text);
    const addr = this.#exports.opa_malloc(bytes.byteLength);
    this.#refresh();
    this.#bytes.set(bytes, addr);
    const value = setLiterals ? this.#exports.opa_value_parse(addr, bytes.byteLength) : this.#exports.opa_json_parse(addr, bytes.byteLength);
    this.#refresh();
    return value;
  }
}

/** Probe values: JSON (parsed with opa_json_parse) and set literals (opa_value_parse). */
const PROBES: readonly (readonly [string, boolean])[] = [
  [
    JSON.stringify({
      null: null,
      true: true,
      false: false,
      numbers: [0, -1, 1.5, -2.5e-3, 12345678901234567890, 1e300, 9007199254740993],
      strings: ["", "a", "quote \" backslash \\ tab \t newline \n nul \u0000 bell \u0007", "é ü 中文 😀", "x".repeat(40), "ß".repeat(40)],
      // Past the initial capacity of an array (10) and of an object's buckets (8, grown at 6 keys).
      array: Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `s${i}` : i)),
      object: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`key-${i}`, i % 4 === 0 ? { nested: [i, { deep: `v${i}` }] } : i])),
      empty: { object: {}, array: [], string: "" },
      ["__proto__"]: "an own key",
    }),
    false,
  ],
  ['{"set": {1, "two", [3], {"four": 4}, {5}}, "empty": set(), "n": {1.5, -7}}', true],
];
