import { make } from "./api";

make();
