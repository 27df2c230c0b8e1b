// Exact results: the SDK hands an ArrayBuffer result to the wasm module as raw JSON text, so a
// number that a double cannot hold (nanosecond timestamps, big byte counts) arrives exactly.

/** JSON text (already well formed) as the ArrayBuffer the SDK loads unparsed. */
export function exactJson(text: string): ArrayBuffer {
  const bytes = new TextEncoder().encode(text);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
