export function retry(times = 5): number {
  return times;
}
