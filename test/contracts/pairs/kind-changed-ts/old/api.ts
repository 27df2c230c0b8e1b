export function make(): { v: number } {
  return { v: 1 };
}
