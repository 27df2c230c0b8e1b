export function id(): string | number {
  return 1;
}
