import { retry } from "./api";

retry();
retry(1);
