export function parseDate(text: string): number {
  return Date.parse(text);
}

export function keep(): void {}
