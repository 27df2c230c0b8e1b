export function extra(): number {
  return 1;
}
