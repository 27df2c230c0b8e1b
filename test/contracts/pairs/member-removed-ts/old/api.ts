export interface Options {
  retries: number;
  timeout: number;
}
