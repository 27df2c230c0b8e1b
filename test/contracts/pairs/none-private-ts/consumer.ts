import { Store } from "./api";

new Store().get("k");
