/** @throws {RangeError} when n < 0 */
export function root(n: number): number {
  return Math.sqrt(n);
}
