export function add(a: number, b: { x: number; y: number }): number {
  return a + b.x;
}
