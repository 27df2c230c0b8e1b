export interface Options {
  retries: number;
  timeout?: number;
}

export function connect(options: Options): void {
  void options;
}
