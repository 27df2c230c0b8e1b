export function helper(flag: boolean): string {
  return String(flag);
}
