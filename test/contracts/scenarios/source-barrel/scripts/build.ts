export function build(): void {}
