interface Options {
  a: number;
}

export function f(o: Options["a"]): void {
  void o;
}

export function g(o: Options): void {
  void o;
}
