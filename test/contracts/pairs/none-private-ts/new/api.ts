function helper(a: number, b: number): number {
  return a + b;
}

export class Store {
  get(key: string): string {
    return key + String(helper(1, 2));
  }

  private cache(): void {}

  #secret(x: string): string {
    return x;
  }
}
