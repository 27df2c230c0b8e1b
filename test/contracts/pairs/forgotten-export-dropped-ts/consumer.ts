import { connect, type Options } from "./api";

const options: Options = { timeout: 1 };
void connect(options);
