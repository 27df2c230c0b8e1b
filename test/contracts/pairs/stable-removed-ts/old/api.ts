export function keep(x: string): string {
  return x;
}

/** @stable */
export function count(): number {
  return 1;
}
