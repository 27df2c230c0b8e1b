export interface Options {
  retries: number;
}
