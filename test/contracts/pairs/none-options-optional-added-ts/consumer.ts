import { connect, type Options } from "./api";

const options: Options = { retries: 3 };
connect(options);
connect({ retries: 1 });
const r: number = options.retries;
void r;
