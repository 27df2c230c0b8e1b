import { id } from "./api";

export const value: string = id();
