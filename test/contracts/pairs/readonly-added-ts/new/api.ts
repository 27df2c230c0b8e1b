export class Counter {
  readonly count: number = 0;

  get label(): string {
    return String(this.count);
  }
}
