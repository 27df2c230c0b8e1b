export class Factory {
  create(): Factory {
    return new Factory();
  }
}
