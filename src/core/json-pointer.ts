// JSON Pointer segments (RFC 6901): "~" is written "~0" and "/" "~1", so a key holding either
// names one segment. Unescaping replaces "~1" first, so that "~01" reads as "~1", not "/".

/** A key or index as one segment of a JSON pointer. */
export function pointerSegment(name: string): string {
  return name.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** The key or index a JSON pointer segment names. */
export function segmentName(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}
