export function render(strict: boolean): string {
  return String(strict);
}
