export * from "./core";
export { Level } from "./core";
import _default from "./make";
export default _default;
