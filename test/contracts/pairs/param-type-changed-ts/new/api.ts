export function pad(value: number): string {
  return String(value);
}
