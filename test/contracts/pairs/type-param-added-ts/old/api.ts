export interface Box<T> {
  value: T;
}
