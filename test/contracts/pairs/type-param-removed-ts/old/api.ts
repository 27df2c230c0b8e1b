export interface Box<T, Meta = undefined> {
  value: T;
  meta?: Meta;
}
