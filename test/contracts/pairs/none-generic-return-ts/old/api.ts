export function id(size?: number): string {
  return String(size ?? 21);
}
