export function demo(): void {}
