declare const _default: (name: string) => string;
export default _default;
