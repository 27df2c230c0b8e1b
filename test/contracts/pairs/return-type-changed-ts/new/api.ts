export function id(): number {
  return 1;
}
