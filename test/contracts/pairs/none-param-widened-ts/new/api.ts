export function pad(value: string | number): string {
  return String(value);
}
