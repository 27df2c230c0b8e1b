import type { User } from "./api";

declare const user: User;
const id: string = user.id;
void id;
