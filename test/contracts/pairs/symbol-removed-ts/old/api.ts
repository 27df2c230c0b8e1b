export function keep(x: string): string {
  return x;
}

export function count(): number {
  return 1;
}
