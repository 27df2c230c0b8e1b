export interface Box<T> {
  value: T;
}

export type Merge<A, B> = { [K in keyof (Omit<A, keyof B> & B)]: (Omit<A, keyof B> & B)[K] };

export declare class Schema<T extends object> {
  extend: <E extends object>(extra: E) => Box<{ [K in keyof (Omit<T, keyof E> & E)]: (Omit<T, keyof E> & E)[K] }>;
  merge<E extends object>(extra: E): Box<{ [K in keyof (Omit<T, keyof E> & E)]: (Omit<T, keyof E> & E)[K] }>;
}
