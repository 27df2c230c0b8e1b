export function example(): void {}
