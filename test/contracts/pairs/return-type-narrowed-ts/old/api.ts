export function id(): string | number {
  return "a";
}
