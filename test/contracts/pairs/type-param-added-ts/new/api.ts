export interface Box<T, Meta> {
  value: T;
  meta: Meta;
}
