import { count } from "./api";

count();
