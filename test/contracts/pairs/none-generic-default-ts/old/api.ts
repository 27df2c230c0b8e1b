export function wrap(value: string): string {
  return `[${value}]`;
}
