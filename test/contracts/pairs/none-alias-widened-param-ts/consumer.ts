import { render } from "./api";

const flag = true as boolean;
render(flag);
