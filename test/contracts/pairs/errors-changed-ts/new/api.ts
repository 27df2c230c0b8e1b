/** @throws {TypeError} when n is NaN */
export function root(n: number): number {
  return Math.sqrt(n);
}
