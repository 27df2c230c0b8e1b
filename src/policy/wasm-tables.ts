// The two tables an OPA wasm module carries about itself: `builtins()` (the builtins it imports,
// name -> id) and `entrypoints()` (its entrypoints, name -> id). Read by instantiating the module
// once with do-nothing imports, without evaluating anything.

export interface WasmTables {
  builtins: string[];
  entrypoints: string[];
}

export function wasmTables(module: WebAssembly.Module): WasmTables {
  const memory = new WebAssembly.Memory({ initial: 5 });
  const noop = () => 0;
  const instance = new WebAssembly.Instance(module, {
    env: { memory, opa_abort: noop, opa_println: noop, opa_builtin0: noop, opa_builtin1: noop, opa_builtin2: noop, opa_builtin3: noop, opa_builtin4: noop },
  });
  const exports = instance.exports as Record<string, (...args: number[]) => number>;
  const names = (table: "builtins" | "entrypoints"): string[] => {
    const addr = exports.opa_json_dump!(exports[table]!());
    const bytes = new Uint8Array(memory.buffer);
    let end = addr;
    while (bytes[end] !== 0) end++;
    return Object.keys(JSON.parse(Buffer.from(bytes.subarray(addr, end)).toString("utf8")) as Record<string, number>).sort();
  };
  return { builtins: names("builtins"), entrypoints: names("entrypoints") };
}
