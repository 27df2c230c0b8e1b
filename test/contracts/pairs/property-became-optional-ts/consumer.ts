import { Client, type RequestConfig } from "./api";

const config: RequestConfig = new Client().config;
void config;
