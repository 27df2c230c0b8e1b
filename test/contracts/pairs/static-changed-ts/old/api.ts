export class Factory {
  static create(): Factory {
    return new Factory();
  }
}
