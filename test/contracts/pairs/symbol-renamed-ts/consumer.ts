import { fetchUser } from "./api";

fetchUser("u1");
