export function wrap<T = string>(value: T): string {
  return `[${String(value)}]`;
}
