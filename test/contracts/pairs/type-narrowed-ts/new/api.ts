export class Doc {
  readonly id: string = "a";
}
