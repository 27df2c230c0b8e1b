export function alpha(x: string): string {
  return x;
}
