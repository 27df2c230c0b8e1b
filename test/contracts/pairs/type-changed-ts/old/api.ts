export class Doc {
  title: string | null = null;
}
