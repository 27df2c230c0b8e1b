import { id } from "./api";

export const value: string | number = id();
