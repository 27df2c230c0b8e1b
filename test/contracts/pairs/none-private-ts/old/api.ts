function helper(a: string): string {
  return a;
}

export class Store {
  get(key: string): string {
    return helper(key);
  }

  private cache(key: string): void {
    void key;
  }

  #secret(): number {
    return 1;
  }
}
