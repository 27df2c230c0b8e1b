export function id<T extends string>(size?: number): T {
  return String(size ?? 21) as T;
}
