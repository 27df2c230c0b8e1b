export interface Options<T = string> {
  readonly name: string;
  retries?: number;
  [key: string]: unknown;
  on(event: "ready", cb: () => void): this;
  (input: T): void;
}
export type Handler = (options: Options) => void;
export declare enum Level {
  Low = 0,
  High = 1
}
export declare const format: (value: string, locale?: string) => string;
export declare const VERSION: string;
export declare class Client {
  static create(): Client;
  config?: Options;
  get url(): string;
  set url(value: string);
  get id(): number;
  constructor(base: string);
  send(body: string): Promise<void>;
  private secret;
}
export declare namespace util {
  function trim(s: string): string;
  interface Token {
    text: string;
  }
}
