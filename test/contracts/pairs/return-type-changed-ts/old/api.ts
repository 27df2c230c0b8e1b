export function id(): string {
  return "a";
}
