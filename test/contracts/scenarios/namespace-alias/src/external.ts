export function parse(text: string): number {
  return Number(text);
}

export interface Schema {
  check(value: unknown): boolean;
}
