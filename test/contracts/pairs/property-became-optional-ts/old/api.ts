export interface RequestConfig {
  url: string;
}

export class Client {
  config: RequestConfig = { url: "/" };
}
