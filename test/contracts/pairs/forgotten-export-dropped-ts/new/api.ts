interface Options {
  timeout: number;
  retries?: number;
}

export function connect(o: Options): number {
  return o.timeout;
}
