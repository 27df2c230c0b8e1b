interface Options {
  retries?: number;
}

export function connect(o: Options): number {
  return o.retries ?? 0;
}
