import { notify } from "./api";

notify("a@b");
