import { alpha } from "./lib/index";
export function beta(): string {
  return alpha("b");
}
