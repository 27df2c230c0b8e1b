export * from "./math";
export { Shape as Figure } from "./shapes";
