export function pad(value: string): string {
  return value;
}
