import { run } from "./api";

run();
