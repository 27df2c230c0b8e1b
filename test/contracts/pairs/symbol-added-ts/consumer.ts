import { a } from "./api";

a();
