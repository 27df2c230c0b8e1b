interface Options {
  a: number;
}

export function f(o: number): void {
  void o;
}

export function g(o: Options): void {
  void o;
}
