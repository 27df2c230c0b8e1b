export function a(): void {}

export function b(x: number): number {
  return x;
}
