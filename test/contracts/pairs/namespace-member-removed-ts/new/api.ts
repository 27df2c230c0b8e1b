export namespace util {
  export function trim(s: string): string {
    return s.trim();
  }
}
