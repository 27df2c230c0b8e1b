import { parse } from "./api";

parse(1);
