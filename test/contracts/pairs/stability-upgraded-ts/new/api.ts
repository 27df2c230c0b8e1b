/** @stable */
export function run(): void {}
