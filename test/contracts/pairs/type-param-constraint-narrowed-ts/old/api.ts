export interface Box<T extends string | number> {
  value: T;
}
