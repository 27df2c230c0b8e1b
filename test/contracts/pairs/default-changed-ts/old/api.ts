export function retry(times = 3): number {
  return times;
}
