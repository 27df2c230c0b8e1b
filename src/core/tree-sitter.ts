// web-tree-sitter is one WebAssembly module per process: `Parser.init()` replaces it, which would
// break the grammars loaded before. Every grammar (Python for contracts, Bash for ops commands)
// is loaded through here, after one shared init.

import { createRequire } from "node:module";
import { Language, Parser } from "web-tree-sitter";

let ready: Promise<void> | undefined;
const grammars = new Map<string, Promise<Language>>();

/** A parser for the grammar wasm that `wasmSpecifier` (a package path) names, loaded once. */
export async function treeSitterParser(wasmSpecifier: string): Promise<Parser> {
  ready ??= Parser.init();
  await ready;
  let language = grammars.get(wasmSpecifier);
  if (!language) {
    language = Language.load(createRequire(import.meta.url).resolve(wasmSpecifier));
    grammars.set(wasmSpecifier, language);
  }
  const parser = new Parser();
  parser.setLanguage(await language);
  return parser;
}
