/** @deprecated Use total */
export function count(): number {
  return 1;
}

export function total(unit: string): number {
  return unit.length;
}
