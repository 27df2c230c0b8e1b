export interface Options {
  retries: number;
}

export function connect(options: Options): void {
  void options;
}
