export function parse(input: string): string;
export function parse(input: string): string {
  return input;
}
