// a comment
/** Adds things. */
export function add(
  a: number, // first
  b: {
    x: number,
    y: number,
  },
): number {
  const sum = a + b.x;
  return sum;
}
