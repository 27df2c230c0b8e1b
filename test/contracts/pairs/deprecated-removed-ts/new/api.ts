export function total(unit: string): number {
  return unit.length;
}
