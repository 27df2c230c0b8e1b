export function keep(): void {}
