export function save(doc: string): void {
  void doc;
}
