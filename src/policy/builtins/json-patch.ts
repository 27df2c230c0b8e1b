// json.patch as topdown applies it (v1/topdown/json.go over internal/edittree): paths as
// `/`-separated strings (leading slashes dropped, ~1 and ~0 unescaped) or arrays of segments;
// array indexes as integers, integer strings without leading zeros, or "-" (the end); sets
// patched by their members (an added member must equal its key); `replace` is a remove then an
// add, so it needs an existing target; `test` compares with Rego's equality. Any failing
// operation is an error, as in topdown.

import { segmentName } from "../../core/json-pointer.js";
import { BuiltinError, OperandError, valueName } from "./errors.js";
import { compareValues, isSet, markSet, RegoNumber } from "./values.js";

type Value = unknown;
type Obj = Record<string, Value>;

function clone(value: Value): Value {
  if (Array.isArray(value)) {
    const out = value.map(clone);
    return isSet(value) ? markSet(out) : out;
  }
  if (value !== null && typeof value === "object" && !(value instanceof RegoNumber)) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: clone(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

const isObject = (v: Value): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof RegoNumber);
const equal = (a: Value, b: Value): boolean => compareValues(a, b) === 0;

function parsePath(path: Value): Value[] {
  if (typeof path === "string") {
    if (path === "") return [];
    return path
      .replace(/^\/+/, "")
      .split("/")
      .map(segmentName);
  }
  if (Array.isArray(path) && !isSet(path)) return [...path];
  throw new OperandError(`operand 2 must be one of {set, array} containing string paths or array of path segments but got ${valueName(path)}`);
}

/** edittree's toIndex. */
function toIndex(length: number, key: Value): number {
  if (typeof key === "number" || key instanceof RegoNumber) {
    const n = typeof key === "number" ? key : key.value;
    if (!Number.isInteger(n)) throw new BuiltinError("invalid number type for indexing");
    return n;
  }
  if (typeof key === "string") {
    if (key === "-") return length;
    // ast.Number(v).Int(): strconv.ParseInt's syntax (an optional sign, decimal digits).
    if (!/^[+-]?\d+$/.test(key)) throw new BuiltinError("invalid string for indexing");
    if (key !== "0" && key.startsWith("0")) throw new BuiltinError("leading zeros are not allowed in JSON paths");
    return Number(key);
  }
  throw new BuiltinError("invalid type for indexing");
}

function objectKey(key: Value): string {
  // Rego objects may have non-string keys; JavaScript objects cannot hold them.
  if (typeof key !== "string") throw new BuiltinError("gatehouse: json.patch with a non-string object key is not supported");
  return key;
}

const missing = (key: Value): BuiltinError => new BuiltinError(`path ${JSON.stringify(key)} does not exist`);

/** The node at `path` (edittree's Unfold). */
function unfold(node: Value, path: Value[]): Value {
  let current = node;
  for (const key of path) {
    if (isSet(current)) {
      const found = current.find((member) => equal(member, key));
      if (found === undefined) throw missing(key);
      current = found;
    } else if (Array.isArray(current)) {
      const i = toIndex(current.length, key);
      if (i < 0 || i >= current.length) throw missing(key);
      current = current[i];
    } else if (isObject(current)) {
      if (typeof key !== "string" || !Object.prototype.hasOwnProperty.call(current, key)) throw missing(key);
      current = current[key];
    } else {
      throw new BuiltinError(`expected composite type for path ${JSON.stringify(key)}, found value: ${JSON.stringify(current)}`);
    }
  }
  return current;
}

class Document {
  constructor(public root: Value | undefined) {}

  #live(): Value {
    if (this.root === undefined) throw new BuiltinError("deleted node encountered during operation");
    return this.root;
  }

  insert(path: Value[], value: Value): void {
    if (path.length === 0) {
      this.root = value;
      return;
    }
    const parent = unfold(this.#live(), path.slice(0, -1));
    const key = path[path.length - 1];
    if (isSet(parent)) {
      if (!equal(key, value)) throw new BuiltinError(`set key ${JSON.stringify(key)} does not equal value to be inserted ${JSON.stringify(value)}`);
      if (!parent.some((member) => equal(member, value))) parent.push(value);
    } else if (Array.isArray(parent)) {
      const i = toIndex(parent.length, key);
      if (i < 0 || i > parent.length) throw new BuiltinError("index for array insertion out of bounds");
      parent.splice(i, 0, value);
    } else if (isObject(parent)) {
      Object.defineProperty(parent, objectKey(key), { value, enumerable: true, writable: true, configurable: true });
    } else {
      throw new BuiltinError(`expected composite type, found value: ${JSON.stringify(parent)}`);
    }
  }

  remove(path: Value[]): void {
    if (path.length === 0) {
      this.#live();
      this.root = undefined;
      return;
    }
    const parent = unfold(this.#live(), path.slice(0, -1));
    const key = path[path.length - 1];
    if (isSet(parent)) {
      const at = parent.findIndex((member) => equal(member, key));
      if (at < 0) throw new BuiltinError(`cannot delete child key ${JSON.stringify(key)} that does not exist`);
      parent.splice(at, 1);
    } else if (Array.isArray(parent)) {
      const i = toIndex(parent.length, key);
      if (i < 0 || i > parent.length - 1) throw new BuiltinError("index for array delete out of bounds");
      parent.splice(i, 1);
    } else if (isObject(parent)) {
      if (typeof key !== "string" || !Object.prototype.hasOwnProperty.call(parent, key)) throw new BuiltinError(`cannot delete child key ${JSON.stringify(key)} that does not exist`);
      delete parent[key];
    } else {
      throw new BuiltinError(`expected composite type, found value: ${JSON.stringify(parent)}`);
    }
  }

  render(path: Value[]): Value {
    return clone(unfold(this.#live(), path));
  }
}

function attribute(op: Obj, name: string): Value {
  if (!Object.prototype.hasOwnProperty.call(op, name)) throw new BuiltinError(`missing required attribute '${name}'`);
  return op[name];
}

function jsonPatch(target: Value, operations: Value): Value {
  if (!Array.isArray(operations) || isSet(operations)) throw new OperandError(`operand 2 must be array but got ${valueName(operations)}`);
  const doc = new Document(clone(target));
  for (const operation of operations) {
    if (!isObject(operation)) throw new BuiltinError("must be an array of JSON-Patch objects, but at least one element is not an object");
    attribute(operation, "path");
    const op = attribute(operation, "op");
    if (typeof op !== "string") throw new BuiltinError(`attribute 'op' must be a string but found: ${valueName(op)}`);
    const path = parsePath(operation.path);
    switch (op) {
      case "add":
        doc.insert(path, clone(attribute(operation, "value")));
        break;
      case "remove":
        doc.remove(path);
        break;
      case "replace":
        doc.remove(path);
        doc.insert(path, clone(attribute(operation, "value")));
        break;
      case "move": {
        const from = parsePath(attribute(operation, "from"));
        const chunk = doc.render(from);
        doc.remove(from);
        doc.insert(path, chunk);
        break;
      }
      case "copy": {
        const from = parsePath(attribute(operation, "from"));
        doc.insert(path, doc.render(from));
        break;
      }
      case "test": {
        const chunk = doc.render(path);
        const value = attribute(operation, "value");
        if (!equal(chunk, value)) throw new BuiltinError(`value from EditTree != patch value.\n\nExpected: ${JSON.stringify(value)}\n\nFound: ${JSON.stringify(chunk)}`);
        break;
      }
      default:
        throw new BuiltinError(`unrecognized op: '${op}'`);
    }
  }
  if (doc.root === undefined) throw new BuiltinError("json.patch removed the whole document");
  return doc.root;
}

export const JSON_PATCH_BUILTINS = {
  "json.patch": jsonPatch,
} satisfies Record<string, (...args: never[]) => unknown>;
