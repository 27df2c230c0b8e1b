import { Doc } from "./api";

const id: string | number = new Doc().id;
void id;
