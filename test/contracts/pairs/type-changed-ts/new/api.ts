export class Doc {
  title: string = "";
}
