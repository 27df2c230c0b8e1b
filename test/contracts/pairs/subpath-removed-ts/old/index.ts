export function keep(x: string): string {
  return x;
}
