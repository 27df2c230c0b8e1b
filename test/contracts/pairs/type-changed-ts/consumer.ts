import { Doc } from "./api";

const doc = new Doc();
doc.title = null;
