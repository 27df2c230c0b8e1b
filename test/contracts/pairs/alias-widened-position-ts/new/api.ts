export interface Box<T> {
  value: T;
}

export type Merge<A, B> = { [K in keyof (Omit<A, keyof B> & B)]-?: (Omit<A, keyof B> & B)[K] | null };

export declare class Schema<T extends object> {
  extend: <E extends object>(extra: E) => Box<Merge<T, E>>;
  merge<E extends object>(extra: E): Box<Merge<T, E>>;
}
