export class Counter {
  count = 0;

  get label(): string {
    return String(this.count);
  }

  set label(value: string) {
    this.count = Number(value);
  }
}
