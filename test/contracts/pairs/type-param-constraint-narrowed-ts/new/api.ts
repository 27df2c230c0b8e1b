export interface Box<T extends string> {
  value: T;
}
