export class Doc {
  readonly id: string | number = "a";
}
