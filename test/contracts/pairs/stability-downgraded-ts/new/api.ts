/** @experimental */
export function run(): void {}
